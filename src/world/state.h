/*
 * state.h - what changes day by day, per agent (MODEL.md sections 3-6),
 * and what each day counts.
 *
 * struct state holds the dynamic per-agent fields as arrays (structure of
 * arrays, allocated once by state_init). Each phase of the day step writes
 * only the fields of the agents it owns, so phases run in parallel without
 * locks. struct day_counts holds the day's integer tallies, per group; they
 * are summed from per-thread copies, and integer sums do not depend on the
 * order, so they are identical for every thread count.
 *
 * Days are numbered from 1; day 0 is the initial state.
 */
#ifndef STATE_H
#define STATE_H

#include <stddef.h>
#include <stdint.h>

#include "core/mem.h"
#include "scenario/params.h"
#include "world/population.h"
#include "scoresim.h"

/* Bits of state.status: what an agent's contacts can see of it. They change
 * only between the day's agent pass and the next, so every agent of a day
 * sees its contacts as they were at the end of yesterday. */
#define ST_LISTED       0x01u /* on the public list */
#define ST_INTERNED     0x02u /* interned: removed from all contact */
#define ST_PROTEST      0x04u /* protested on the last day simulated */
#define ST_NEW_LISTED   0x08u /* listed on the last day simulated */
#define ST_NEW_INTERNED 0x10u /* interned on the last day simulated */
#define ST_XCTX_LIST    0x20u /* the listing would not have happened on judicial points alone */

/* What an agent's contacts see of it (enum of bits; exposure.h keeps
 * counts of contacts per bit): listed and not interned, interned, and
 * protesting and not interned. */
#define VIS_LISTED   0x1u
#define VIS_INTERNED 0x2u
#define VIS_PROTEST  0x4u
#define VIS_BITS     3

static inline unsigned state_visible(uint8_t s)
{
    if (s & ST_INTERNED) return VIS_INTERNED;
    return ((s & ST_LISTED) ? VIS_LISTED : 0u) | ((s & ST_PROTEST) ? VIS_PROTEST : 0u);
}

/* Bits of state.history: what has ever happened to the agent. */
#define HI_SANCTIONED 0x01u /* suffered at least one sanction */
#define HI_LISTED     0x02u /* has been listed */
#define HI_INTERNED   0x04u /* has been interned */
#define HI_GENUINE    0x08u /* has been scored for a negative act it really did */

/* Bits of state.acts: what the agent did today (scratch between phases). */
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
#define AC_MASK            0x3FFu  /* the bits above; the rest of acts is scratch: */
#define AC_VIS_SHIFT       12      /* the visible state before today's household pass */
#define AC_VIS_CHANGED     0x8000u /* ... and it changed (exposure.h pushes the change) */

/* Actions (MODEL.md section 3). */
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
    N_ACTIONS
};

/* Scored events (MODEL.md section 5, the points table). */
enum event {
    EV_MISSED_PAYMENT,
    EV_COURT_JUDGMENT,
    EV_CRITICISM,
    EV_PROTEST,
    EV_ASSOCIATION, /* contact with a listed person, and the household penalty of an internee */
    EV_CONFORMITY,
    N_EVENTS
};

/* Sanctions and rewards (MODEL.md section 6), as counted. */
enum sanction {
    SA_LISTING,      /* entry to the public list */
    SA_TRAVEL,       /* a flight booking refused */
    SA_SCHOOL,       /* a school place refused */
    SA_SOCIAL_MEDIA, /* a social media ban imposed (with the listing) */
    SA_JOB,          /* a job refused */
    SA_LOAN,         /* a loan refused */
    SA_INTERNMENT,   /* an internment */
    N_SANCTIONS
};

/* One group's tallies for one day (index MAX_GROUPS... see day_counts). */
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
    int64_t list_exits;                 /* agents leaving the list today */
    int64_t releases;                   /* internments ending today */
};

struct day_counts {
    uint32_t n_rows;                         /* groups + 1 */
    struct group_counts row[MAX_GROUPS + 1]; /* groups, then all agents at [n_groups] */
};

/* What happened to one agent today, passed from phase to phase within the
 * agent pass (on the stack; never shared between threads). */
struct agent_day {
    uint16_t acts;               /* AC_* bits */
    uint16_t met_listed;         /* meetings today with listed contacts */
    uint16_t ev[N_EVENTS];       /* events recorded against the agent today */
    uint16_t ev_false[N_EVENTS]; /* ... of which it did not do (false attributions) */
};

/* Days in the state are 16-bit: a simulated day is at most ST_DAY_MAX
 * (scenario key `days`), so it fits 15 bits and leaves the top bit of a
 * court-miss entry for whether the miss was real. */
#define ST_DAY_MAX   0x7fffu
#define ST_MISS_REAL 0x8000u /* state.misses: the miss really happened */

/* A day as stored in the state's 16-bit fields. A day beyond 65535 (an
 * internment's end with a huge internment.days) saturates at UINT16_MAX:
 * later than any simulated day, so comparisons with days still hold. */
static inline uint16_t state_day16(int64_t day)
{
    return day > UINT16_MAX ? (uint16_t)UINT16_MAX : day < 0 ? 0 : (uint16_t)day;
}

/* Agents per block of a deterministic reduction. */
#define STATE_BLOCK 4096u

struct state {
    uint32_t n;                   /* agents */
    float *fear;                  /* [n] perceived risk in [0,1] */
    float *ledger[N_SUBSYSTEMS];  /* [n] each: the sub-system's points, 0 at start */
    uint8_t *status;              /* [n] ST_* bits */
    uint8_t *history;             /* [n] HI_* bits */
    uint8_t *watched;             /* [n] bit c set: channel c watches the agent (fixed) */
    uint16_t *acts;               /* [n] AC_* bits of today; before the agent pass of the
                                     fast step, today's meetings with listed contacts */
    uint16_t *listed_day;         /* [n] day of the current listing (valid if ST_LISTED) */
    uint16_t *interned_until;     /* [n] last day of the current internment (state_day16) */
    uint16_t *misses;             /* [n * n_misses] observed missed payments not yet judged:
                                     the day, | ST_MISS_REAL if really missed; 0 = none */
    uint32_t n_misses;            /* entries per agent in misses: court_missed - 1 (the
                                     court_missed-th miss in the window is judged at once) */
    double cap[N_SUBSYSTEMS + 1]; /* today's cap of each domain score and the reported score */
    uint32_t n_blocks;            /* blocks of STATE_BLOCK agents */
    double *cap_part;             /* [n_blocks * (N_SUBSYSTEMS + 2)] block sums for the caps */
};

/* Allocate and set the initial state (fear 0, ledgers 0, nothing listed,
 * coverage drawn per agent and channel). */
int state_init(struct state *st, const struct params *p, const struct population *pop,
               struct mem *m, struct ss_error *err);
/* Add every group's row into the all-agents row (after the per-group rows
 * of a day are complete), and clear a day's counts. */
void state_counts_total(struct day_counts *c, uint32_t n_groups);
void state_counts_clear(struct day_counts *c, uint32_t n_groups);
/* c += d, row by row. */
void state_counts_add(struct day_counts *c, const struct day_counts *d, uint32_t n_groups);
void state_free(struct state *st, struct mem *m);
size_t state_estimate_bytes(const struct params *p);

#endif
