/*
 * params.h - every scenario parameter, as plain data.
 *
 * This struct is what a scenario file, the defaults and --set fill in; the
 * table in scenario.c describes each field once (key, type, default, range,
 * documentation) and drives parsing, validation, printing and the docs. No
 * other module reads YAML or knows key names: they read these fields.
 *
 * Names given by the scenario (groups, layers) are resolved to indices by
 * scn_finish; rules that name groups hold both the names as written and the
 * resolved bit mask.
 */
#ifndef PARAMS_H
#define PARAMS_H

#include <stdint.h>

#define MAX_GROUPS 16   /* population groups */
#define MAX_LAYERS 8    /* network layers */
#define MAX_NAME   32   /* a group or layer name, with its NUL */
#define MAX_PATH   1024 /* a file path, with its NUL */

/* A distribution of a per-agent value. */
enum dist_kind { DIST_CONSTANT, DIST_UNIFORM, DIST_NORMAL, DIST_BETA, DIST_LIST };

struct dist {
    int kind;          /* enum dist_kind */
    double value;      /* constant: the value */
    double lo, hi;     /* uniform: the range; normal: the clip range */
    double mean, sd;   /* normal */
    double a, b;       /* beta shapes */
    double *values;    /* list: one value per agent, in agent id order (owned) */
    uint32_t n_values; /* list: length */
};

/* A list of integers (days, agent ids). */
struct int_list {
    int64_t *v; /* values (owned) */
    uint32_t n; /* count */
};

/* Names with one number each, keyed by group name (group shares, per-group
 * coverage). Order is the order written. */
struct named_values {
    uint32_t n;                      /* entries */
    char name[MAX_GROUPS][MAX_NAME]; /* names */
    double v[MAX_GROUPS];            /* values */
};

/* A list of group names; mask is set by scn_finish (bit g = group g named).
 * Names of groups the scenario does not have are an error if the user wrote
 * them, and dropped if they came from the seed defaults. */
struct group_set {
    uint32_t n;                      /* names */
    char name[MAX_GROUPS][MAX_NAME]; /* as written */
    uint32_t mask;                   /* resolved groups */
};

enum generator {
    GEN_HOUSEHOLD,       /* cliques of each household */
    GEN_WATTS_STROGATZ,  /* ring of k nearest in workplace/school order, rewired */
    GEN_BARABASI_ALBERT, /* preferential attachment */
    GEN_ERDOS_RENYI,     /* G(n, p) with p = mean_degree / (n - 1) */
    GEN_COMPLETE,        /* every pair */
    GEN_EDGE_LIST        /* pairs of agent ids read from a file */
};

/* Who a layer ties together. */
enum members {
    MEM_ALL,    /* every agent (work/school: adults with adults, children with children) */
    MEM_ADULTS, /* adults only */
    MEM_ONLINE  /* adults who use social media */
};

struct layer_params {
    char name[MAX_NAME]; /* as written */
    int enabled;         /* off: the layer is not built */
    int generator;       /* enum generator */
    int members;         /* enum members */
    double contact;      /* probability a tie is active on a given day */
    int k;               /* watts_strogatz: ties to the k nearest (even) */
    double rewire;       /* watts_strogatz: probability a tie is rewired */
    double mean_degree;  /* barabasi_albert, erdos_renyi: mean degree */
    double homophily;    /* share of new ties drawn from the own group */
    char file[MAX_PATH]; /* edge_list: path, relative to the scenario file */
};

/* Surveillance channels (MODEL.md section 4). Fixed: each is bound to the
 * actions it observes. */
enum channel { CH_PAYMENT, CH_INTERNET, CH_CAMERAS, CH_PHONE, N_CHANNELS };

struct channel_params {
    int enabled;                           /* off: observes nothing, costs nothing */
    double coverage;                       /* share watched, for groups not named below */
    struct named_values coverage_by_group; /* per-group overrides */
    double coverage_g[MAX_GROUPS];         /* resolved per group by scn_finish */
    double detect;                         /* probability an action of a watched agent is seen */
    double false_attribution;              /* per watched agent per day */
};

/* Scoring sub-systems (MODEL.md section 5). */
enum subsystem { SUB_FINANCIAL, SUB_JUDICIAL, SUB_SOCIAL, N_SUBSYSTEMS };

/* Tiers, best first. */
enum tier { TIER_AAA, TIER_AA, TIER_A, TIER_B, TIER_C, TIER_D, N_TIERS };

enum cap_mode { CAP_MEAN, CAP_FIXED };

enum threshold_unit {
    THRESH_SHARE, /* a fraction of contacts */
    THRESH_COUNT  /* a number of contacts */
};

/* A date as days since 1970-01-01, or PARAMS_NO_DATE. */
#define PARAMS_NO_DATE INT32_MIN

/* One change of one key during a run (the scenario's `schedule`): set to
 * `value` on `day`, or ramped linearly from `value` on `day` to `value_to`
 * on `day_to`. Checked and resolved by scn_finish; applied by
 * sched_params_at (scenario/schedule.h). */
struct sched_change {
    char key[128];            /* the key, as written (dotted) */
    uint32_t entry;           /* index of the schedule entry it came from */
    int ramp;                 /* 0: set; 1: ramp */
    int32_t day, day_to;      /* resolved days (set: day_to == day) */
    int32_t date, date_to;    /* as written with date:, or PARAMS_NO_DATE (then day, day_to
                                 are as written with day:) */
    double value, value_to;   /* numbers, switches (0, 1) and choices (their index) */
    int type;                 /* how the field is written: scenario_impl.h's enum ptype */
    const char *const *names; /* a choice's names, for printing it */
    uint32_t off;             /* the field: its offset in struct params */
    const char *src;          /* the file or --set argument it came from (not owned) */
    int line, col;            /* where its key was written; 0 if unknown */
};

/* A scenario's schedule: its changes in the order written. */
struct schedule {
    uint32_t n;             /* changes */
    struct sched_change *c; /* [n] in the order written (owned by the scenario) */
    uint32_t *order;        /* [n] indices of c by day, then as written (scn_finish) */
};

/* A sanction that is only switched on or off. */
struct sanction_params {
    int enabled; /* the sanction is applied (and counted) */
};

/* Every field is named as its key in a scenario file: scoring.court.window
 * is p->scoring.court.window, so a grep for a key finds every use. */
struct params {
    char name[128];           /* scenario name, used in the results path */
    uint64_t seed;            /* random seed */
    int days;                 /* horizon */
    int32_t start_date;       /* the date of day 1, or PARAMS_NO_DATE */
    struct schedule schedule; /* changes of keys during the run */

    struct {
        uint32_t agents;            /* N */
        struct named_values groups; /* group names and shares (sum to 1) */
        double household_size;      /* mean household size */
        double child_share;         /* share of agents under 18 */
        struct dist attitude;       /* 0 supports the system, 1 rejects it */
        struct dist reliability;    /* probability of paying on time */
        double online_share;        /* share of adults on social media */
        struct dist threshold;      /* protest threshold */
        int threshold_unit;         /* enum threshold_unit */
        double start_score;         /* everyone's starting score */
    } population;

    struct {
        uint32_t n_layers;                      /* layers in use */
        struct layer_params layers[MAX_LAYERS]; /* in the order written */
    } network;

    struct {
        struct {
            double rate; /* p = rate x attitude x (1 - fear) */
        } criticise;
        struct {
            double rate; /* p = rate x (1 - attitude) */
        } conform;
        struct {
            double rate; /* flight bookings per day */
        } travel;
        struct {
            int period; /* days between obligations */
        } payment;
        struct {
            int day; /* day of year of school applications */
        } school;
        struct {
            double rate; /* job changes per year */
        } job_change;
        struct {
            double rate; /* loan requests per day */
        } loan;
        struct {
            double rate; /* high-speed rail bookings per day */
        } rail;
        struct {
            double leave;    /* daily probability a protester leaves */
            int spontaneous; /* threshold-0 agents protest with no one else */
            struct {
                struct int_list days; /* exogenous trigger days */
                double share;         /* share of eligible agents triggered */
                uint32_t count;       /* or exactly this many (0: use share) */
                double min_attitude;  /* eligible if attitude above this */
                struct int_list ids;  /* or these agents */
            } trigger;
        } protest;
        struct {
            int enabled;              /* off: fear stays 0 */
            double memory;            /* weight of today's signal */
            double sanctioned_weight; /* on the listed/interned share of contacts */
            double proximity_weight;  /* on the proximity to the list threshold */
            double proximity_top;     /* proximity 0 at or above this score */
            double proximity_bottom;  /* proximity 1 at or below this score */
        } fear;
        struct {
            double per_sanction; /* added per sanction suffered */
            double per_reward;   /* added per reward */
            double messaging;    /* added per day */
        } attitude;
    } behaviour;

    struct channel_params surveillance[N_CHANNELS]; /* surveillance.<channel> */

    struct {
        double integration;    /* weight of other sub-systems' points */
        double recovery;       /* daily decay of each ledger toward 0 */
        double min, max;       /* score clamp */
        double tiers[N_TIERS]; /* lower bound of each tier (D unused) */
        struct {               /* points per observed event */
            double missed_payment, court_judgment, criticism;
            double protest, association, conformity;
        } points;
        struct {
            int missed_payments; /* observed missed payments ... */
            int window;          /* ... within this many days make a judgment */
        } court;
        struct {
            int enabled;             /* group cap on */
            struct group_set groups; /* capped groups */
            int mode;                /* enum cap_mode */
            double value;            /* CAP_FIXED: the cap */
        } group_cap;
        struct {              /* share of the population each sub-system scores */
            double financial; /* (an agent is covered when its fixed draw for */
            double judicial;  /* the sub-system is below the share, so raising */
            double social;    /* a share only adds agents) */
        } coverage;
    } scoring;

    struct {
        int enabled; /* judgments are debts that can be settled */
        struct {
            double base;       /* daily probability of settling, without pressure */
            double pressure;   /* added per sanction suffered in the window */
            int window;        /* days counted back for sanctions (and coercion) */
            int max_sanctions; /* sanctions counted at most */
        } settlement;
    } enforcement;

    struct {
        double enter_below; /* listed when the judicial score falls below */
        double exit_above;  /* unlisted when back above ... */
        int min_days;       /* ... after at least this many days */
        int max_days;       /* an unsettled listing expires after this many days; 0 never */
    } list;

    struct {
        struct {
            int enabled; /* listed agents' flight bookings are refused */
            int rail;    /* ... and their high-speed rail bookings */
        } travel_ban;
        struct sanction_params school_ban, social_media_ban;
        struct {
            int enabled;
            double below; /* when the social score is below */
        } job_restriction;
        struct {
            int enabled;
            double below; /* when the financial score is below */
        } loan_denial;
        struct {
            int enabled;
            double from; /* at or above */
        } rewards;
        struct {
            int enabled;
            double below;             /* social score below */
            struct group_set groups;  /* groups it applies to */
            int days;                 /* duration */
            double household_penalty; /* points to each household member of an internee */
        } internment;
        struct {
            int enabled; /* contact with listed / interned costs points */
            int window;  /* days from a listing during which meeting the listed costs points;
                            0: as long as it is listed */
        } association;
        struct {
            int enabled;        /* contacts cut ties to newly listed */
            double base;        /* p = base + fear_weight x fear */
            double fear_weight; /* ... */
        } ostracism;
    } sanctions;
};

#endif
