/*
 * tally.h - the vocabulary of one day: the acts an agent can take, the
 * events the system scores, the sanctions it applies (docs/model.md sections
 * 3-6), what one agent did today, and the day's integer tallies per group.
 *
 * The tallies are summed from per-thread copies; integer sums do not
 * depend on the order, so they are identical for every thread count. They
 * hold one day: the step clears them, the phases add to them, the
 * measurement reads them; what must outlive the day is added into the
 * world's totals (world.h).
 */
#ifndef TALLY_H
#define TALLY_H

#include <stdint.h>

#include "scenario/params.h"

/* Bits of an agent's acts of today (engine.acts, agent_day.acts). */
#define AC_CRITICISE       0x001u  /* criticised online */
#define AC_WOULD_CRITICISE 0x002u  /* would have, without fear or a ban */
#define AC_PROTEST         0x004u  /* protested */
#define AC_PAY_DUE         0x008u  /* an obligation fell due */
#define AC_MISS            0x010u  /* ... and was not paid on time */
#define AC_CONFORM         0x020u  /* a rewarded act */
#define AC_TRAVEL          0x040u  /* booked a flight */
#define AC_SCHOOL          0x080u  /* (a child) applied to school */
#define AC_JOB             0x100u  /* changed job */
#define AC_LOAN            0x200u  /* requested a loan */
#define AC_RAIL            0x400u  /* booked a high-speed rail ticket */
#define AC_SETTLE          0x800u  /* settled its unpaid judgments */
#define AC_JUDGED          0x1000u /* was judged today: a new debt (set by scoring) */

/* Actions (docs/model.md section 3). */
enum action {
    ACT_CRITICISE, /* criticise online */
    ACT_PROTEST,   /* protest (one per protester per day) */
    ACT_MEET,      /* meet a contact (tie ends active today) */
    ACT_PAY,       /* an obligation falls due */
    ACT_MISS,      /* ... and is not paid on time */
    ACT_CONFORM,   /* a rewarded act */
    ACT_TRAVEL,    /* book a flight */
    ACT_SCHOOL,    /* a child's school application */
    ACT_JOB,       /* a job change */
    ACT_LOAN,      /* a loan request */
    ACT_RAIL,      /* book a high-speed rail ticket */
    N_ACTIONS
};

/* Scored events (docs/model.md section 5, the points table). */
enum event {
    EV_MISSED_PAYMENT,
    EV_COURT_JUDGMENT,
    EV_CRITICISM,
    EV_PROTEST,
    EV_ASSOCIATION, /* contact with a listed person, and the household penalty of an internee */
    EV_CONFORMITY,
    N_EVENTS
};

/* Sanctions and rewards (docs/model.md section 6), as counted. */
enum sanction {
    SA_LISTING,      /* entry to the public list */
    SA_TRAVEL,       /* a flight booking refused */
    SA_SCHOOL,       /* a school place refused */
    SA_SOCIAL_MEDIA, /* a social media ban imposed (with the listing) */
    SA_JOB,          /* a job refused */
    SA_LOAN,         /* a loan refused */
    SA_INTERNMENT,   /* an internment */
    SA_RAIL,         /* a high-speed rail booking refused */
    N_SANCTIONS
};

/* One group's tallies for one day. */
struct group_counts {
    int64_t taken[N_ACTIONS];           /* actions really taken */
    int64_t observed[N_ACTIONS];        /* ... and seen by a channel */
    int64_t scored[N_EVENTS];           /* events scored (true and false) */
    int64_t false_scored[N_EVENTS];     /* events scored that did not happen */
    int64_t sanctions[N_SANCTIONS];     /* sanctions applied today */
    int64_t wrongful[N_SANCTIONS];      /* ... to agents never scored for a negative act they did */
    int64_t cross_context[N_SANCTIONS]; /* ... caused by points from another domain */
    int64_t rewards;                    /* rewards given (tiers AA and AAA) */
    int64_t would_criticise;            /* criticism that would be expressed without fear or bans */
    int64_t list_exits;                 /* agents leaving the list today, every cause */
    int64_t exits_settled;              /* ... because they settled (credit repair) */
    int64_t exits_recovered;            /* ... because their score recovered */
    int64_t exits_expired;              /* ... because the listing expired */
    int64_t exit_days;                  /* days on the list of those leaving today, summed */
    int64_t settlements;                /* agents settling their unpaid judgments today */
    int64_t settlements_coerced;        /* ... while listed or soon after a sanction */
    int64_t releases;                   /* internments ending today */
};

struct day_counts {
    uint32_t n_rows;                         /* groups + 1 */
    struct group_counts row[MAX_GROUPS + 1]; /* groups, then all agents at [n_groups] */
};

/* What happened to one agent today, passed from phase to phase within the
 * agent pass (on the stack; never shared between threads). */
struct agent_day {
    uint16_t acts;                    /* AC_* bits */
    uint16_t met_listed;              /* meetings today with listed contacts */
    uint16_t ev[N_EVENTS];            /* events recorded against the agent today */
    uint16_t ev_false[N_EVENTS];      /* ... of which it did not do (false attributions, and
                                         meetings with listed people: guilt by association) */
    uint16_t ev_attributed[N_EVENTS]; /* ... of those, the ones a channel made up */
};

/* Clear a day's counts (n_groups rows and the all-agents row). */
void tally_clear(struct day_counts *c, uint32_t n_groups);
/* c += d, row by row. */
void tally_add(struct day_counts *c, const struct day_counts *d, uint32_t n_groups);
/* Set the all-agents row to the sum of the group rows (once the group rows
 * of a day are complete). */
void tally_total(struct day_counts *c, uint32_t n_groups);

#endif
