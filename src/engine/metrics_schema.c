/*
 * metrics_schema.c - the columns of the daily and daily_layer tables: each
 * field of struct met_row and struct met_layer_row named once, with its
 * type and meaning. The output builds its SQLite schema and CSV header from
 * these tables, and docs/metrics.md is written from them, so a measured
 * figure is added in one place (docs/architecture.md, "Add a metric").
 */
#include <stddef.h>

#include "engine/metrics.h"

#define MET_STR_(x) #x
#define MET_STR(x)  MET_STR_(x)

#define COL_I(s, f, d)                                                                             \
    {                                                                                              \
#f, MET_INT, offsetof(struct s, f), 0, d                                                   \
    }
#define COL_I32(s, f, d)                                                                           \
    {                                                                                              \
#f, MET_INT, offsetof(struct s, f), 1, d                                                   \
    }
#define COL_R(s, f, d)                                                                             \
    {                                                                                              \
#f, MET_REAL, offsetof(struct s, f), 0, d                                                  \
    }
/* Element i of met_row's int64_t (COL_AI) or double (COL_AR) array f. */
#define COL_AI(name, f, i, d)                                                                      \
    {                                                                                              \
        name, MET_INT, offsetof(struct met_row, f) + (size_t)(i) * sizeof(int64_t), 0, d           \
    }
#define COL_AR(name, f, i, d)                                                                      \
    {                                                                                              \
        name, MET_REAL, offsetof(struct met_row, f) + (size_t)(i) * sizeof(double), 0, d           \
    }

/* The actions of enum action (model/tally.h): column suffix and what is counted.
 * Each gives a taken_ and an observed_ column. */
#define MET_ACTIONS(X)                                                                             \
    X(ACT_CRITICISE, criticise, "online criticisms")                                               \
    X(ACT_PROTEST, protest, "protest days (one per protester per day)")                            \
    X(ACT_MEET, meet, "tie ends active (a meeting counts once for each side)")                     \
    X(ACT_PAY, pay, "obligations falling due")                                                     \
    X(ACT_MISS, miss, "obligations not paid on time")                                              \
    X(ACT_CONFORM, conform, "conformity acts (volunteering, donations)")                           \
    X(ACT_TRAVEL, travel, "flight bookings")                                                       \
    X(ACT_SCHOOL, school, "school applications of children")                                       \
    X(ACT_JOB, job, "job changes")                                                                 \
    X(ACT_LOAN, loan, "loan requests")                                                             \
    X(ACT_RAIL, rail, "high-speed rail bookings")

/* The events of enum event (model/tally.h): column suffix and what is scored.
 * Each gives a scored_ and a false_ column. */
#define MET_EVENTS(X)                                                                              \
    X(EV_MISSED_PAYMENT, missed_payment, "missed payments")                                        \
    X(EV_COURT_JUDGMENT, court_judgment, "court judgments")                                        \
    X(EV_CRITICISM, criticism, "online criticisms")                                                \
    X(EV_PROTEST, protest, "protests")                                                             \
    X(EV_ASSOCIATION, association,                                                                 \
      "contacts with a listed person, and household penalties of internees")                       \
    X(EV_CONFORMITY, conformity, "conformity acts")

/* Count each list: one enumerator per entry, then the number of entries. */
#define MET_COUNT(e, name, what) MET_COUNT_##e,
enum { MET_ACTIONS(MET_COUNT) MET_N_ACTIONS_LISTED };
enum { MET_EVENTS(MET_COUNT) MET_N_EVENTS_LISTED };
#undef MET_COUNT
_Static_assert((int)MET_N_ACTIONS_LISTED == (int)N_ACTIONS, "MET_ACTIONS must list every action");
_Static_assert((int)MET_N_EVENTS_LISTED == (int)N_EVENTS, "MET_EVENTS must list every event");

#define COL_ACTION(e, name, what)                                                                  \
    COL_AI("taken_" #name, taken, e, "taken today: " what),                                        \
        COL_AI("observed_" #name, observed, e,                                                     \
               "of those, seen by a surveillance channel (or checked) today: " what),
#define COL_EVENT(e, name, what)                                                                   \
    COL_AI("scored_" #name, scored, e, "scored today, true and false: " what),                     \
        COL_AI("false_" #name, false_scored, e,                                                    \
               "of those, scored against an agent who did not do it (false attributions): " what),

#define DOC_DAY        "day of the run: 0 is the initial state, then 1..days"
#define DOC_GROUP      "group index (as in the groups table), or -1 for all agents"
#define DOC_GROUP_NAME "the group's name, or 'all' for group -1"
#define DOC_PCT(p)                                                                                 \
    p " percentile of the reported score, to 0.1 point (see Score percentiles); NULL for no "      \
      "agents"
#define DOC_TIER(t) "agents whose reported score is in tier " t

const struct met_column met_daily_columns[] = {
    COL_I32(met_row, day, DOC_DAY),
    {"date", MET_DATE, offsetof(struct met_row, date), 1,
     "the calendar date of the day, YYYY-MM-DD (start_date is day 1, day 0 the day before); "
     "NULL without a start_date"},
    COL_I32(met_row, group, DOC_GROUP),
    {"group_name", MET_GROUP_NAME, offsetof(struct met_row, group), 1, DOC_GROUP_NAME},

    /* population */
    COL_I(met_row, agents, "agents in the group"),
    COL_I(met_row, children, "agents under 18"),
    COL_I(met_row, online, "adults who use social media"),
    COL_R(met_row, attitude_mean, "mean attitude (0 supports the system, 1 rejects it)"),
    COL_R(met_row, support_rate, "share of agents with attitude < 0.5"),
    COL_R(met_row, reliability_mean, "mean probability of paying on time"),
    COL_R(met_row, threshold_mean, "mean protest threshold, in the scenario's threshold unit"),
    COL_R(met_row, fear_mean, "mean fear (perceived risk, in [0,1])"),

    /* scores */
    COL_R(met_row, score_mean,
          "mean reported score (1000 + every sub-system's points, clamped, capped for capped "
          "groups)"),
    COL_AR("score_p1", score_p, 0, DOC_PCT("1st")),
    COL_AR("score_p10", score_p, 1, DOC_PCT("10th")),
    COL_AR("score_p50", score_p, 2, DOC_PCT("50th")),
    COL_AR("score_p90", score_p, 3, DOC_PCT("90th")),
    COL_AR("score_p99", score_p, 4, DOC_PCT("99th")),
    COL_AR("financial_mean", domain_mean, SUB_FINANCIAL,
           "mean financial domain score (governs loans)"),
    COL_AR("judicial_mean", domain_mean, SUB_JUDICIAL,
           "mean judicial domain score (governs the list)"),
    COL_AR("social_mean", domain_mean, SUB_SOCIAL,
           "mean social domain score (governs jobs and internment)"),
    COL_AI("tier_aaa", tier, TIER_AAA, DOC_TIER("AAA")),
    COL_AI("tier_aa", tier, TIER_AA, DOC_TIER("AA")),
    COL_AI("tier_a", tier, TIER_A, DOC_TIER("A")),
    COL_AI("tier_b", tier, TIER_B, DOC_TIER("B")),
    COL_AI("tier_c", tier, TIER_C, DOC_TIER("C")),
    COL_AI("tier_d", tier, TIER_D, DOC_TIER("D")),

    /* the list and sanctions */
    COL_I(met_row, listed, "agents on the public list at the end of the day"),
    COL_I(met_row, interned, "agents interned at the end of the day"),
    COL_I(met_row, ever_listed, "agents listed at least once so far"),
    COL_I(met_row, ever_sanctioned, "agents sanctioned at least once so far"),
    COL_I(met_row, listed_wrongfully,
          "agents on the list who have never been scored for a negative act they really did "
          "(listed on false attributions and association penalties alone)"),
    COL_AI("list_entries", sanction, SA_LISTING, "agents listed today"),
    COL_I(met_row, list_exits,
          "agents leaving the list today, every cause: list_exits_settled + "
          "list_exits_recovered + list_exits_expired"),
    COL_I(met_row, list_exits_settled,
          "of those, agents who settled their judgments today and whose judicial score was then "
          "above list.exit_above (credit repair; list.min_days does not hold them)"),
    COL_I(met_row, list_exits_recovered,
          "of those, agents whose judicial score recovered above list.exit_above after at least "
          "list.min_days on the list, without settling today"),
    COL_I(met_row, list_exits_expired,
          "of those, listings that expired unsettled after list.max_days"),
    COL_R(met_row, list_exit_days_mean,
          "mean days on the list of today's exits; NULL if there were none"),
    COL_I(met_row, unpaid_judgments,
          "agents holding at least one unpaid court judgment at the end of the day"),
    COL_I(met_row, settlements, "agents who settled their unpaid judgments today"),
    COL_I(met_row, settlements_coerced,
          "of those, settlements made while listed or within enforcement.settlement.window days "
          "of a sanction: what the sanctions bought"),
    COL_I(met_row, releases, "internments ending today"),
    COL_AI("flights_refused", sanction, SA_TRAVEL, "flight bookings refused today (travel ban)"),
    COL_AI("school_refused", sanction, SA_SCHOOL,
           "school places refused today (children of listed parents)"),
    COL_AI("social_media_bans", sanction, SA_SOCIAL_MEDIA,
           "social media bans imposed today (with a listing)"),
    COL_AI("jobs_refused", sanction, SA_JOB, "jobs refused today (job restriction)"),
    COL_AI("loans_refused", sanction, SA_LOAN, "loans refused today (loan denial)"),
    COL_AI("internments", sanction, SA_INTERNMENT, "internments today"),
    COL_AI("rail_refused", sanction, SA_RAIL,
           "high-speed rail bookings refused today (travel ban, with sanctions.travel_ban.rail)"),
    COL_I(met_row, rewards, "rewards given today (tiers AA and AAA)"),
    COL_I(met_row, sanctions,
          "sanctions applied today, all kinds: list_entries + flights_refused + school_refused + "
          "social_media_bans + jobs_refused + loans_refused + internments + rail_refused"),
    COL_I(met_row, wrongful_sanctions,
          "of those, sanctions on agents never scored for a negative act they really did"),
    COL_I(met_row, cross_context_sanctions,
          "of those, cross-context sanctions: ones that would not have applied on the points "
          "of their own domain alone"),
    COL_R(met_row, cross_context_share, "cross_context_sanctions / sanctions; NULL if none"),
    COL_I(met_row, sanctions_cum, "sanctions from day 1 to this day"),
    COL_I(met_row, wrongful_sanctions_cum, "wrongful_sanctions from day 1 to this day"),
    COL_I(met_row, cross_context_sanctions_cum, "cross_context_sanctions from day 1 to this day"),
    COL_I(met_row, flights_refused_cum, "flights_refused from day 1 to this day"),
    COL_I(met_row, rail_refused_cum, "rail_refused from day 1 to this day"),
    COL_I(met_row, list_exits_cum, "list_exits from day 1 to this day"),
    COL_I(met_row, settlements_cum, "settlements from day 1 to this day"),

    /* actions */
    COL_I(met_row, protesters, "agents protesting today (protest size)"),
    /* clang-format off: it cannot see the commas inside the expansion */
    MET_ACTIONS(COL_ACTION)
    /* clang-format on */
    COL_I(met_row, criticism_would,
          "online criticisms that would have been posted today without fear or bans (the "
          "paired draw of MODEL.md section 3)"),
    COL_R(met_row, silence_ratio,
          "1 - taken_criticise / criticism_would: the share of criticism silenced by fear and "
          "bans; NULL if criticism_would is 0"),

    /* scored events */
    /* clang-format off */
    MET_EVENTS(COL_EVENT)
    /* clang-format on */

    /* network */
    COL_I(met_row, ties,
          "live tie ends held by the group's agents, all layers (a tie between two members "
          "counts twice)"),
    COL_R(met_row, degree_mean, "ties / agents: mean live degree, all layers"),
    COL_R(met_row, in_group_share,
          "share of those tie ends whose other end is in the same group (for 'all': share of "
          "tie ends joining two members of one group)"),
    COL_I(met_row, contacts,
          "tie ends active today, all layers (a meeting counts once for each side)"),
    COL_I(met_row, ties_cut,
          "tie ends held by the group's agents that ostracism has cut so far, all layers"),
    COL_R(met_row, largest_component_share,
          "share of the group's agents in the largest connected component of all layers' "
          "live ties; an interned agent meets no one, so its ties do not count and it is cut "
          "off (a component of its own), while it still counts among the agents; measured on "
          "day 0, every " MET_STR(MET_COMPONENT_EVERY) " days and on the last day, NULL on "
                                                       "other days"),

    /* disparate impact */
    COL_R(met_row, listed_rate, "listed / agents"),
    COL_R(met_row, sanctioned_rate, "ever_sanctioned / agents"),
    COL_R(met_row, di_listed,
          "disparate impact of the list: listed_rate / the reference group's listed_rate (see "
          "Disparate impact); NULL for 'all' and when either rate is undefined or the "
          "reference's is 0"),
    COL_R(met_row, di_sanctioned,
          "disparate impact of sanctions: sanctioned_rate / the reference group's; NULL as for "
          "di_listed"),
};
const size_t met_n_daily_columns = sizeof met_daily_columns / sizeof met_daily_columns[0];

const struct met_column met_layer_columns[] = {
    COL_I32(met_layer_row, day, DOC_DAY),
    COL_I32(met_layer_row, group, DOC_GROUP),
    {"group_name", MET_GROUP_NAME, offsetof(struct met_layer_row, group), 1, DOC_GROUP_NAME},
    COL_I32(met_layer_row, layer, "layer index (as in the layers table)"),
    {"layer_name", MET_LAYER_NAME, offsetof(struct met_layer_row, layer), 1, "the layer's name"},
    COL_I(met_layer_row, ties, "live tie ends held by the group's agents in this layer"),
    COL_R(met_layer_row, degree_mean, "ties / agents of the group: mean live degree"),
    COL_R(met_layer_row, in_group_share,
          "share of those tie ends whose other end is in the same group"),
    COL_I(met_layer_row, contacts, "tie ends of this layer active today"),
};
const size_t met_n_layer_columns = sizeof met_layer_columns / sizeof met_layer_columns[0];

const char *met_sql_type(int type)
{
    switch (type) {
    case MET_INT:
        return "INTEGER";
    case MET_REAL:
        return "REAL";
    default:
        return "TEXT";
    }
}
