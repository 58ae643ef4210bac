/*
 * scenario_table.c - the one table of scenario parameters.
 *
 * Each row names a key, its type, the struct params field it fills, its
 * range, its default (as YAML text, read by the same code as a file) and
 * its documentation. The parser, the checks, --set, the printed scenario
 * and docs/scenario.md are all driven from here: a new parameter is a new
 * row (and a field in params.h), nothing else. Also here: the small
 * lookups over rows that every other file of the module uses.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "scenario/scenario_impl.h"

#define P(m)   offsetof(struct params, m)
#define D(m)   offsetof(struct dist, m)
#define ANY    .lo = -INFINITY, .hi = INFINITY
#define POINTS .lo = -100000, .hi = 100000

static const char *const gen_names[] = {
    "household", "watts_strogatz", "barabasi_albert", "erdos_renyi", "complete", "edge_list", NULL};
static const char *const member_names[] = {"all", "adults", "online", NULL};
static const char *const dist_names[] = {"constant", "uniform", "normal", "beta", "list", NULL};
static const char *const unit_names[] = {"share", "count", NULL};
static const char *const cap_names[] = {"mean", "fixed", NULL};
static const char *const channel_names[] = {"payment", "internet", "cameras", "phone", NULL};

const struct family scn_layer_family = {
    .what = "layer",
    .placeholder = "<name>",
    .names = NULL,
    .max = MAX_LAYERS,
    .stride = sizeof(struct layer_params),
    .elem_off = P(network.layers[0]),
    .count_off = P(network.n_layers),
    .name_off = P(network.layers[0].name),
};

static const struct family channel_family = {
    .what = "channel",
    .placeholder = "<channel>",
    .names = channel_names,
    .max = N_CHANNELS,
    .stride = sizeof(struct channel_params),
    .elem_off = P(surveillance[0]),
};

#define LAYER(m)        .fam = &scn_layer_family, .off = P(network.layers[0].m)
#define CHANNEL(m)      .fam = &channel_family, .off = P(surveillance[0].m)
#define WHEN_GEN(mask)  .when = "generator", .when_mask = (mask)
#define WHEN_DIST(mask) .when = "dist", .when_mask = (mask)
#define ALL_GEN         0x3fu
#define ALL_DIST        0x1fu

const struct section scn_sections[] = {
    {"", "Top level", "The scenario's name, its random seed and how many days it runs."},
    {"population", "population",
     "The synthetic agents: how many, their groups and households, and the per-agent values "
     "drawn at the start (docs/model.md section 1)."},
    {"network", "network",
     "The multilayer contact network: each layer has its own generator and daily contact "
     "probability (docs/model.md section 2)."},
    {"behaviour", "behaviour",
     "What agents do each day, the protest rule, fear and attitude change (docs/model.md section "
     "3)."},
    {"behaviour.protest", "protest",
     "Granovetter's threshold rule plus exogenous triggers (docs/model.md sections 3 and 9)."},
    {"behaviour.fear", "fear",
     "Each agent's perceived risk, which lowers what it says and does (docs/model.md section 3)."},
    {"behaviour.attitude", "attitude", "Slow drift of private attitude (docs/model.md section 3)."},
    {"surveillance", "surveillance",
     "The four fixed channels that observe actions and record false ones (docs/model.md section "
     "4)."},
    {"scoring", "scoring",
     "Sub-system ledgers, their integration, tiers, points per event and the group cap "
     "(docs/model.md section 5)."},
    {"list", "list", "The public blacklist (docs/model.md section 6)."},
    {"enforcement", "enforcement",
     "What the list is for: unpaid judgments, settlement under sanction pressure, credit "
     "repair (docs/model.md section 6a)."},
    {"sanctions", "sanctions",
     "Sanctions and rewards, each switchable so its effect can be measured (docs/model.md section "
     "6)."},
};
const size_t scn_n_sections = sizeof scn_sections / sizeof scn_sections[0];

const struct row scn_rows[] = {
    /* top level */
    {.key = "name",
     .type = T_STR,
     .off = P(name),
     .lo = 1,
     .hi = 127,
     .def = "seed",
     .doc = "Scenario name, used in the results folder name. Any printable text; a file "
            "without it is named after the file."},
    {.key = "seed",
     .type = T_U64,
     .off = P(seed),
     .def = "1",
     .doc = "Random seed. The same scenario and seed give the same results whatever the "
            "thread count."},
    {.key = "days",
     .type = T_INT,
     .off = P(days),
     .lo = 1,
     .hi = 32767,
     .def = "365",
     .doc = "Days simulated (the horizon); one step is one day. At most 32767 (about 90 "
            "years), because the agents' state keeps days in 16-bit fields."},
    {.key = "start_date",
     .type = T_DATE,
     .off = P(start_date),
     .doc = "The calendar date of day 1 (YYYY-MM-DD), optional. With it the daily results carry "
            "a date column, the report's time axes show dates, and schedule changes may be "
            "given by date."},
    {.key = "schedule",
     .type = T_SCHEDULE,
     .off = P(schedule),
     .doc = "Changes of keys during the run: a list of entries, each either `{day: D, set: {KEY: "
            "VALUE, ...}}` (or `date:` instead of `day:`), which sets the keys from day D on, or "
            "`{ramp: KEY, from: {day: D1, value: V1}, to: {day: D2, value: V2}}`, which moves a "
            "number linearly from V1 on day D1 to V2 on day D2 and keeps V2 after. Keys and "
            "values are checked as in the file; the population, the networks (but a layer's "
            "`contact`), days, seed and a few keys that size the run's memory cannot change. "
            "See \"The schedule\" below."},

    /* population */
    {.key = "population.agents",
     .type = T_U32,
     .off = P(population.agents),
     .lo = 1,
     .hi = 4294967294.0,
     .def = "100000",
     .doc = "Number of agents N."},
    {.key = "population.groups",
     .type = T_NAMED,
     .off = P(population.groups),
     .lo = 0,
     .hi = 1,
     .flags = F_NONEMPTY,
     .def = "{majority: 0.911, uyghur: 0.008, tibetan: 0.005, "
            "other_minority: 0.076}",
     .doc = "Population groups and their shares of the agents: 1 to 16 names, shares summing "
            "to 1. Writing it replaces the seed's groups."},
    {.key = "population.household_size",
     .type = T_REAL,
     .off = P(population.household_size),
     .lo = 1,
     .hi = 50,
     .def = "3.0",
     .doc = "Mean household size, in agents."},
    {.key = "population.child_share",
     .type = T_REAL,
     .off = P(population.child_share),
     .lo = 0,
     .hi = 0.9,
     .def = "0.2",
     .doc = "Share of agents under 18. Children take no scored actions but carry the school "
            "ban of their parents."},
    {.key = "population.attitude",
     .type = T_DIST,
     .off = P(population.attitude),
     .lo = 0,
     .hi = 1,
     .def = "{dist: beta, a: 2, b: 6}",
     .doc = "Private stance toward the system: 0 supports it, 1 rejects it."},
    {.key = "population.reliability",
     .type = T_DIST,
     .off = P(population.reliability),
     .lo = 0,
     .hi = 1,
     .def = "{dist: beta, a: 18, b: 1}",
     .doc = "Probability that an agent pays a due obligation on time."},
    {.key = "population.online_share",
     .type = T_PROB,
     .off = P(population.online_share),
     .def = "0.75",
     .doc = "Share of adults on social media (who can post and be banned)."},
    {.key = "population.threshold",
     .type = T_DIST,
     .off = P(population.threshold),
     .lo = 0,
     .hi = INFINITY,
     .def = "{dist: normal, mean: 0.25, sd: 0.12, lo: 0, hi: 1}",
     .doc = "Granovetter threshold for joining a protest, in the unit of threshold_unit."},
    {.key = "population.threshold_unit",
     .type = T_ENUM,
     .off = P(population.threshold_unit),
     .names = unit_names,
     .def = "share",
     .doc = "share: a threshold is the fraction of the agent's contacts (live ties to agents "
            "not interned, whether met that day or not: a layer's contact does not enter) that "
            "protested yesterday; count: the number of those contacts (Granovetter's thresholds "
            "in agents)."},
    {.key = "population.start_score",
     .type = T_REAL,
     .off = P(population.start_score),
     .lo = 0,
     .hi = 100000,
     .def = "1000",
     .doc = "Everyone's starting score, in points; must lie within scoring.min and scoring.max."},

    /* network */
    {.key = "network.layers",
     .type = T_FAMILY,
     .fam = &scn_layer_family,
     .def = "{household: {generator: household, contact: 1.0}, "
            "work: {generator: watts_strogatz, k: 8, rewire: 0.1, homophily: 0.8, contact: 0.5}, "
            "online: {generator: barabasi_albert, mean_degree: 10, homophily: 0.8, "
            "members: online, contact: 0.2}}",
     .doc = "Contact layers by name (up to 8), in the order written. Writing it replaces the "
            "seed's layers; each new layer starts from the defaults below."},
    {.key = "network.layers.*.enabled",
     .type = T_BOOL,
     LAYER(enabled),
     .def = "true",
     .doc = "Off: the layer is not built (and dropped from the scenario)."},
    {.key = "network.layers.*.generator",
     .type = T_ENUM,
     LAYER(generator),
     .names = gen_names,
     .req_mask = ALL_GEN,
     .doc = "How ties are made: household cliques, Watts-Strogatz small world, Barabasi-Albert "
            "scale free, Erdos-Renyi random graph, complete graph, or an edge list file. "
            "Required."},
    {.key = "network.layers.*.members",
     .type = T_ENUM,
     LAYER(members),
     .names = member_names,
     .def = "all",
     .doc = "Who the layer ties together: every agent, adults only, or adults on social "
            "media."},
    {.key = "network.layers.*.contact",
     .type = T_PROB,
     LAYER(contact),
     .def = "1.0",
     .doc = "Probability that a tie is active (a meeting) on a given day. Meetings matter for "
            "association points (each meeting with a listed contact can be seen and scored) and "
            "are counted in the contacts figures; the protest rule, fear, ostracism and the "
            "largest component count ties, met or not, so this has no effect on them."},
    {.key = "network.layers.*.k",
     .type = T_INT,
     LAYER(k),
     .lo = 2,
     .hi = 10000,
     .flags = F_EVEN,
     WHEN_GEN(BIT(GEN_WATTS_STROGATZ)),
     .def = "8",
     .doc = "Ties to the k nearest in workplace or school order (even)."},
    {.key = "network.layers.*.rewire",
     .type = T_PROB,
     LAYER(rewire),
     WHEN_GEN(BIT(GEN_WATTS_STROGATZ)),
     .def = "0.1",
     .doc = "Probability that a ring tie is rewired to a random agent."},
    {.key = "network.layers.*.mean_degree",
     .type = T_REAL,
     LAYER(mean_degree),
     .lo = 0,
     .hi = 1e6,
     WHEN_GEN(BIT(GEN_BARABASI_ALBERT) | BIT(GEN_ERDOS_RENYI)),
     .def = "10",
     .doc = "Mean number of ties per member (Erdos-Renyi: p = mean_degree / (n - 1))."},
    {.key = "network.layers.*.homophily",
     .type = T_PROB,
     LAYER(homophily),
     WHEN_GEN(BIT(GEN_WATTS_STROGATZ) | BIT(GEN_BARABASI_ALBERT)),
     .def = "0.8",
     .doc = "Share of new (rewired or attached) ties drawn from the agent's own group."},
    {.key = "network.layers.*.file",
     .type = T_STR,
     LAYER(file),
     .lo = 1,
     .hi = MAX_PATH - 1,
     WHEN_GEN(BIT(GEN_EDGE_LIST)),
     .req_mask = BIT(GEN_EDGE_LIST),
     .doc = "Edge list: one tie per line as two agent ids 'i j', '#' starts a comment. A "
            "relative path is taken from the scenario file's folder. Required for edge_list."},

    /* behaviour */
    {.key = "behaviour.criticise.rate",
     .type = T_PROB,
     .off = P(behaviour.criticise.rate),
     .def = "0.02",
     .doc = "Daily online criticism: p = rate x attitude x (1 - fear), for agents with social "
            "media access."},
    {.key = "behaviour.conform.rate",
     .type = T_PROB,
     .off = P(behaviour.conform.rate),
     .def = "0.005",
     .doc = "Daily rewarded act (volunteering, donations): p = rate x (1 - attitude)."},
    {.key = "behaviour.travel.rate",
     .type = T_PROB,
     .off = P(behaviour.travel.rate),
     .def = "0.003",
     .doc = "Probability per day that an adult books a flight (refused under a travel ban)."},
    {.key = "behaviour.payment.period",
     .type = T_INT,
     .off = P(behaviour.payment.period),
     .lo = 1,
     .hi = 3650,
     .def = "30",
     .doc = "Days between obligations; each is paid on time with p = reliability."},
    {.key = "behaviour.school.day",
     .type = T_INT,
     .off = P(behaviour.school.day),
     .lo = 1,
     .hi = 365,
     .def = "240",
     .doc = "Day of each simulated year on which children apply to school."},
    {.key = "behaviour.job_change.rate",
     .type = T_PROB,
     .off = P(behaviour.job_change.rate),
     .def = "0.1",
     .doc = "Job changes per adult per year; each is refused under a job restriction."},
    {.key = "behaviour.loan.rate",
     .type = T_PROB,
     .off = P(behaviour.loan.rate),
     .def = "0.01",
     .doc = "Loan requests per adult per day; each is refused under a loan denial."},
    {.key = "behaviour.rail.rate",
     .type = T_PROB,
     .off = P(behaviour.rail.rate),
     .def = "0.002",
     .doc = "High-speed rail bookings per adult per day; a listed adult's booking is refused "
            "under the travel ban (with sanctions.travel_ban.rail)."},
    {.key = "behaviour.protest.leave",
     .type = T_PROB,
     .off = P(behaviour.protest.leave),
     .def = "0.3",
     .doc = "Daily probability that a protester leaves; at 0, once joined, always joined."},
    {.key = "behaviour.protest.spontaneous",
     .type = T_BOOL,
     .off = P(behaviour.protest.spontaneous),
     .def = "false",
     .doc = "Whether an agent whose threshold is met with no contact protesting (threshold 0) "
            "protests on its own, as Granovetter's instigators do. Off, a protest starts only "
            "from a trigger and spreads from contact to contact."},
    {.key = "behaviour.protest.trigger.days",
     .type = T_INTS,
     .off = P(behaviour.protest.trigger.days),
     .lo = 1,
     .hi = 100000,
     .def = "[120]",
     .doc = "Days of exogenous protest triggers (day 1 is the first simulated day), each within "
            "the run (days 1 to `days`): a day written past it is an error. Past a horizon "
            "shortened on the command line (--days, --set days), and for the seed's day in a file "
            "that runs fewer days, they are kept and never come (a note says so)."},
    {.key = "behaviour.protest.trigger.share",
     .type = T_PROB,
     .off = P(behaviour.protest.trigger.share),
     .def = "0.001",
     .doc = "Share of the eligible agents that protest on a trigger day: share x eligible "
            "of them (rounded up or down at random, so exact on average; a whole number exactly), "
            "drawn at random. A run warns on a trigger day with no agent eligible."},
    {.key = "behaviour.protest.trigger.count",
     .type = T_U32,
     .off = P(behaviour.protest.trigger.count),
     .lo = 0,
     .hi = 4294967294.0,
     .def = "0",
     .doc = "If above 0: this many agents instead of share (drawn the same way); a run warns on "
            "a trigger day with fewer eligible agents, and says how many it took."},
    {.key = "behaviour.protest.trigger.min_attitude",
     .type = T_PROB,
     .off = P(behaviour.protest.trigger.min_attitude),
     .def = "0.7",
     .doc = "Adults who are not interned are eligible if their attitude is above this."},
    {.key = "behaviour.protest.trigger.ids",
     .type = T_INTS,
     .off = P(behaviour.protest.trigger.ids),
     .lo = 0,
     .hi = 4294967293.0,
     .def = "[]",
     .doc = "If not empty: exactly these agents (ids 0 to agents - 1) are triggered, whatever "
            "share, count and attitude say; children and internees take no part (a run warns)."},
    {.key = "behaviour.fear.enabled",
     .type = T_BOOL,
     .off = P(behaviour.fear.enabled),
     .def = "true",
     .doc = "Off: fear stays 0, so nothing is silenced."},
    {.key = "behaviour.fear.memory",
     .type = T_PROB,
     .off = P(behaviour.fear.memory),
     .def = "0.05",
     .doc = "Weight of today's signal: fear <- (1 - memory) x fear + memory x signal."},
    {.key = "behaviour.fear.sanctioned_weight",
     .type = T_REAL,
     .off = P(behaviour.fear.sanctioned_weight),
     .lo = 0,
     .hi = 100,
     .def = "2",
     .doc = "Weight in the signal of the share of contacts listed or interned."},
    {.key = "behaviour.fear.proximity_weight",
     .type = T_REAL,
     .off = P(behaviour.fear.proximity_weight),
     .lo = 0,
     .hi = 100,
     .def = "0.5",
     .doc = "Weight in the signal of how close the agent's lowest domain score is to the list "
            "threshold."},
    {.key = "behaviour.fear.proximity_top",
     .type = T_REAL,
     .off = P(behaviour.fear.proximity_top),
     ANY,
     .def = "1000",
     .doc = "Proximity is 0 at or above this score, in points."},
    {.key = "behaviour.fear.proximity_bottom",
     .type = T_REAL,
     .off = P(behaviour.fear.proximity_bottom),
     ANY,
     .def = "600",
     .doc = "Proximity is 1 at or below this score (below proximity_top), rising linearly "
            "between."},
    {.key = "behaviour.attitude.per_sanction",
     .type = T_REAL,
     .off = P(behaviour.attitude.per_sanction),
     .lo = -1,
     .hi = 1,
     .def = "0.05",
     .doc = "Added to attitude for each sanction suffered (a refusal, a ban, a listing)."},
    {.key = "behaviour.attitude.per_reward",
     .type = T_REAL,
     .off = P(behaviour.attitude.per_reward),
     .lo = -1,
     .hi = 1,
     .def = "-0.01",
     .doc = "Added to attitude for each reward."},
    {.key = "behaviour.attitude.messaging",
     .type = T_REAL,
     .off = P(behaviour.attitude.messaging),
     .lo = -1,
     .hi = 1,
     .def = "-0.0002",
     .doc = "Added to attitude each day (state messaging)."},

    /* surveillance */
    {.key = "surveillance",
     .type = T_FAMILY,
     .fam = &channel_family,
     .def = "{payment: {coverage: 0.90, detect: 0.99, false_attribution: 1e-5}, "
            "internet: {coverage: 0.80, coverage_by_group: {uyghur: 1, tibetan: 1}, "
            "detect: 0.70, false_attribution: 1e-5}, "
            "cameras: {coverage: 0.50, coverage_by_group: {uyghur: 1, tibetan: 1}, "
            "detect: 0.60, false_attribution: 1e-4}, "
            "phone: {coverage: 0.60, coverage_by_group: {uyghur: 1, tibetan: 1}, "
            "detect: 0.80, false_attribution: 1e-5}}",
     .doc = "The channels payment, internet, cameras and phone, each bound to the actions it "
            "observes."},
    {.key = "surveillance.*.enabled",
     .type = T_BOOL,
     CHANNEL(enabled),
     .def = "true",
     .doc = "Off: the channel observes nothing and records nothing."},
    {.key = "surveillance.*.coverage",
     .type = T_PROB,
     CHANNEL(coverage),
     .doc = "Share of agents watched, for groups not named in coverage_by_group."},
    {.key = "surveillance.*.coverage_by_group",
     .type = T_NAMED,
     CHANNEL(coverage_by_group),
     .lo = 0,
     .hi = 1,
     .def = "{}",
     .doc = "Coverage per named group, overriding coverage. Writing it replaces the seed's "
            "map."},
    {.key = "surveillance.*.detect",
     .type = T_PROB,
     CHANNEL(detect),
     .doc = "Probability that an action of a watched agent is observed."},
    {.key = "surveillance.*.false_attribution",
     .type = T_PROB,
     CHANNEL(false_attribution),
     .doc = "Probability per watched agent per day that the channel records its main negative "
            "action against an agent who did not do it."},

    /* scoring */
    {.key = "scoring.integration",
     .type = T_PROB,
     .off = P(scoring.integration),
     .def = "0.6",
     .doc = "Weight of the other sub-systems' points in each domain score: 0 keeps domains "
            "apart, 1 joins them fully."},
    {.key = "scoring.recovery",
     .type = T_PROB,
     .off = P(scoring.recovery),
     .def = "0.001",
     .doc = "Daily decay of each ledger toward 0, as a fraction of its value."},
    {.key = "scoring.min",
     .type = T_REAL,
     .off = P(scoring.min),
     ANY,
     .def = "0",
     .doc = "Lowest score, in points (scores are clamped); also the floor of tier D."},
    {.key = "scoring.max",
     .type = T_REAL,
     .off = P(scoring.max),
     ANY,
     .def = "1100",
     .doc = "Highest score, in points; above scoring.min."},
    {.key = "scoring.tiers.aaa",
     .type = T_REAL,
     .off = P(scoring.tiers[TIER_AAA]),
     ANY,
     .def = "1050",
     .doc = "Lowest score of tier AAA. Tiers must strictly decrease from aaa to c."},
    {.key = "scoring.tiers.aa",
     .type = T_REAL,
     .off = P(scoring.tiers[TIER_AA]),
     ANY,
     .def = "1030",
     .doc = "Lowest score of tier AA."},
    {.key = "scoring.tiers.a",
     .type = T_REAL,
     .off = P(scoring.tiers[TIER_A]),
     ANY,
     .def = "960",
     .doc = "Lowest score of tier A."},
    {.key = "scoring.tiers.b",
     .type = T_REAL,
     .off = P(scoring.tiers[TIER_B]),
     ANY,
     .def = "850",
     .doc = "Lowest score of tier B."},
    {.key = "scoring.tiers.c",
     .type = T_REAL,
     .off = P(scoring.tiers[TIER_C]),
     ANY,
     .def = "600",
     .doc = "Lowest score of tier C; below it is tier D."},
    {.key = "scoring.points.missed_payment",
     .type = T_REAL,
     .off = P(scoring.points.missed_payment),
     POINTS,
     .def = "-10",
     .doc = "Points to the financial ledger per observed missed payment."},
    {.key = "scoring.points.court_judgment",
     .type = T_REAL,
     .off = P(scoring.points.court_judgment),
     POINTS,
     .def = "-450",
     .doc = "Points to the judicial ledger per court judgment."},
    {.key = "scoring.points.criticism",
     .type = T_REAL,
     .off = P(scoring.points.criticism),
     POINTS,
     .def = "-20",
     .doc = "Points to the social ledger per observed online criticism."},
    {.key = "scoring.points.protest",
     .type = T_REAL,
     .off = P(scoring.points.protest),
     POINTS,
     .def = "-50",
     .doc = "Points to the social ledger per observed protest day."},
    {.key = "scoring.points.association",
     .type = T_REAL,
     .off = P(scoring.points.association),
     POINTS,
     .def = "-5",
     .doc = "Points to the social ledger per observed contact with a listed person."},
    {.key = "scoring.points.conformity",
     .type = T_REAL,
     .off = P(scoring.points.conformity),
     POINTS,
     .def = "5",
     .doc = "Points to the social ledger per observed conformity act."},
    {.key = "scoring.court.missed_payments",
     .type = T_INT,
     .off = P(scoring.court.missed_payments),
     .lo = 1,
     .hi = 1000,
     .def = "3",
     .doc = "A court judgment follows this many observed missed payments ..."},
    {.key = "scoring.court.window",
     .type = T_INT,
     .off = P(scoring.court.window),
     .lo = 1,
     .hi = 3650,
     .def = "90",
     .doc = "... within this many days."},
    {.key = "scoring.coverage.financial",
     .type = T_PROB,
     .off = P(scoring.coverage.financial),
     .def = "1",
     .doc = "Share of the population the financial sub-system scores (docs/model.md section 10: "
            "where it operates). An agent outside it takes no financial points."},
    {.key = "scoring.coverage.judicial",
     .type = T_PROB,
     .off = P(scoring.coverage.judicial),
     .def = "1",
     .doc = "Share of the population the judicial sub-system (the courts) covers: an agent "
            "outside it takes no court judgments."},
    {.key = "scoring.coverage.social",
     .type = T_PROB,
     .off = P(scoring.coverage.social),
     .def = "1",
     .doc = "Share of the population the social sub-system scores: an agent outside it takes "
            "no points for criticism, protest, association or conformity."},
    {.key = "scoring.group_cap.enabled",
     .type = T_BOOL,
     .off = P(scoring.group_cap.enabled),
     .def = "true",
     .doc = "Cap every score of the named groups."},
    {.key = "scoring.group_cap.groups",
     .type = T_GROUPS,
     .off = P(scoring.group_cap.groups),
     .def = "[uyghur, tibetan]",
     .doc = "Groups whose scores are capped."},
    {.key = "scoring.group_cap.mode",
     .type = T_ENUM,
     .off = P(scoring.group_cap.mode),
     .names = cap_names,
     .def = "mean",
     .doc = "mean: the cap is the population mean of that score, recomputed daily; fixed: the "
            "cap is value."},
    {.key = "scoring.group_cap.value",
     .type = T_REAL,
     .off = P(scoring.group_cap.value),
     ANY,
     .def = "1000",
     .doc = "The cap in points, for mode fixed."},

    /* list */
    {.key = "list.enter_below",
     .type = T_REAL,
     .off = P(list.enter_below),
     ANY,
     .def = "600",
     .doc = "An agent is listed when its judicial domain score falls below this."},
    {.key = "list.exit_above",
     .type = T_REAL,
     .off = P(list.exit_above),
     ANY,
     .def = "850",
     .doc = "A listed agent leaves once that score is back above this (at least enter_below) "
            "..."},
    {.key = "list.min_days",
     .type = T_INT,
     .off = P(list.min_days),
     .lo = 0,
     .hi = 100000,
     .def = "180",
     .doc = "... and it has been listed for at least this many days (a settlement does not wait "
            "for it: see enforcement)."},
    {.key = "list.max_days",
     .type = T_INT,
     .off = P(list.max_days),
     .lo = 0,
     .hi = 100000,
     .def = "0",
     .doc = "A listing that neither settlement nor recovery has ended expires after this many "
            "days; 0: never."},

    /* enforcement */
    {.key = "enforcement.enabled",
     .type = T_BOOL,
     .off = P(enforcement.enabled),
     .def = "true",
     .doc = "A court judgment is a debt: the agent holds it until it settles, and settling "
            "repairs its credit (the judicial ledger returns to 0; a listed agent whose judicial "
            "score is then above list.exit_above leaves the list that day). Off: judgments are "
            "never settled."},
    {.key = "enforcement.settlement.base",
     .type = T_PROB,
     .off = P(enforcement.settlement.base),
     .def = "0.002",
     .doc = "Daily probability that an agent with an unpaid judgment settles, without "
            "sanctions: settle = base + pressure x (sanctions suffered in the window, at most "
            "max_sanctions)."},
    {.key = "enforcement.settlement.pressure",
     .type = T_PROB,
     .off = P(enforcement.settlement.pressure),
     .def = "0.01",
     .doc = "Added to the daily probability of settling per sanction suffered in the window."},
    {.key = "enforcement.settlement.window",
     .type = T_INT,
     .off = P(enforcement.settlement.window),
     .lo = 1,
     .hi = 31,
     .def = "30",
     .doc = "Days counted back for the sanctions that press to settle; a settlement made while "
            "listed or within this many days of a sanction is counted as coerced. At most 31: "
            "each agent keeps the last 32 days of its sanctions."},
    {.key = "enforcement.settlement.max_sanctions",
     .type = T_INT,
     .off = P(enforcement.settlement.max_sanctions),
     .lo = 0,
     .hi = 93,
     .def = "10",
     .doc = "Sanctions in the window counted at most."},

    /* sanctions */
    {.key = "sanctions.travel_ban.enabled",
     .type = T_BOOL,
     .off = P(sanctions.travel_ban.enabled),
     .def = "true",
     .doc = "Listed agents' flight bookings are refused."},
    {.key = "sanctions.travel_ban.rail",
     .type = T_BOOL,
     .off = P(sanctions.travel_ban.rail),
     .def = "true",
     .doc = "The travel ban also refuses listed agents' high-speed rail bookings (counted apart "
            "from flights)."},
    {.key = "sanctions.school_ban.enabled",
     .type = T_BOOL,
     .off = P(sanctions.school_ban.enabled),
     .def = "true",
     .doc = "Children of listed parents are refused school places."},
    {.key = "sanctions.social_media_ban.enabled",
     .type = T_BOOL,
     .off = P(sanctions.social_media_ban.enabled),
     .def = "true",
     .doc = "Listed agents cannot post online, so cannot criticise."},
    {.key = "sanctions.job_restriction.enabled",
     .type = T_BOOL,
     .off = P(sanctions.job_restriction.enabled),
     .def = "true",
     .doc = "Job changes are refused to agents whose social domain score is low."},
    {.key = "sanctions.job_restriction.below",
     .type = T_REAL,
     .off = P(sanctions.job_restriction.below),
     ANY,
     .def = "850",
     .doc = "Job restriction when the social domain score is below this."},
    {.key = "sanctions.loan_denial.enabled",
     .type = T_BOOL,
     .off = P(sanctions.loan_denial.enabled),
     .def = "true",
     .doc = "Loan requests are refused to agents whose financial score is low."},
    {.key = "sanctions.loan_denial.below",
     .type = T_REAL,
     .off = P(sanctions.loan_denial.below),
     ANY,
     .def = "850",
     .doc = "Loan denial when the financial domain score is below this."},
    {.key = "sanctions.internment.enabled",
     .type = T_BOOL,
     .off = P(sanctions.internment.enabled),
     .def = "true",
     .doc = "Agents of the named groups with a low social score are removed from all contact."},
    {.key = "sanctions.internment.below",
     .type = T_REAL,
     .off = P(sanctions.internment.below),
     ANY,
     .def = "400",
     .doc = "Internment when the social domain score is below this."},
    {.key = "sanctions.internment.groups",
     .type = T_GROUPS,
     .off = P(sanctions.internment.groups),
     .def = "[uyghur, tibetan]",
     .doc = "Groups internment applies to."},
    {.key = "sanctions.internment.days",
     .type = T_INT,
     .off = P(sanctions.internment.days),
     .lo = 1,
     .hi = 100000,
     .def = "365",
     .doc = "Duration of an internment."},
    {.key = "sanctions.internment.household_penalty",
     .type = T_REAL,
     .off = P(sanctions.internment.household_penalty),
     POINTS,
     .def = "-5",
     .doc = "Points to each household member of an internee (an association penalty)."},
    {.key = "sanctions.rewards.enabled",
     .type = T_BOOL,
     .off = P(sanctions.rewards.enabled),
     .def = "true",
     .doc = "High scorers get faster loans and priority (counted)."},
    {.key = "sanctions.rewards.from",
     .type = T_REAL,
     .off = P(sanctions.rewards.from),
     ANY,
     .def = "1030",
     .doc = "Rewards at or above this score (seed: tier AA)."},
    {.key = "sanctions.association.enabled",
     .type = T_BOOL,
     .off = P(sanctions.association.enabled),
     .def = "true",
     .doc = "Observed contact with listed or interned agents costs points."},
    {.key = "sanctions.association.window",
     .type = T_INT,
     .off = P(sanctions.association.window),
     .lo = 0,
     .hi = 100000,
     .def = "0",
     .doc = "A meeting with a listed contact costs points only in the first this many days of "
            "that contact's listing (day 1: the day after it was listed), so that a listing "
            "costs its contacts points once rather than every day it lasts; 0: every meeting "
            "for as long as the contact is listed."},
    {.key = "sanctions.ostracism.enabled",
     .type = T_BOOL,
     .off = P(sanctions.ostracism.enabled),
     .def = "true",
     .doc = "Contacts of a newly listed agent may cut their tie to it."},
    {.key = "sanctions.ostracism.base",
     .type = T_PROB,
     .off = P(sanctions.ostracism.base),
     .def = "0.05",
     .doc = "Probability of cutting the tie: base + fear_weight x fear."},
    {.key = "sanctions.ostracism.fear_weight",
     .type = T_PROB,
     .off = P(sanctions.ostracism.fear_weight),
     .def = "0.3",
     .doc = "Weight of the contact's own fear in that probability."},
};
const size_t scn_n_rows = sizeof scn_rows / sizeof scn_rows[0];

/* The sub-keys of a distribution written as a mapping. lo/hi default to
 * [0, 1] where they apply but are not required (a normal's clip range). */
const struct row scn_dist_rows[] = {
    {.key = "dist",
     .type = T_ENUM,
     .off = D(kind),
     .names = dist_names,
     .req_mask = ALL_DIST,
     .doc = "The kind of distribution. Required in the mapping form."},
    {.key = "value",
     .type = T_REAL,
     .off = D(value),
     .flags = F_DOMAIN,
     WHEN_DIST(BIT(DIST_CONSTANT)),
     .req_mask = BIT(DIST_CONSTANT),
     .doc = "The value every agent gets."},
    {.key = "mean",
     .type = T_REAL,
     .off = D(mean),
     ANY,
     WHEN_DIST(BIT(DIST_NORMAL)),
     .req_mask = BIT(DIST_NORMAL),
     .doc = "Mean of the normal, before clipping."},
    {.key = "sd",
     .type = T_REAL,
     .off = D(sd),
     .lo = 0,
     .hi = INFINITY,
     WHEN_DIST(BIT(DIST_NORMAL)),
     .req_mask = BIT(DIST_NORMAL),
     .doc = "Standard deviation of the normal."},
    {.key = "lo",
     .type = T_REAL,
     .off = D(lo),
     .flags = F_DOMAIN,
     WHEN_DIST(BIT(DIST_UNIFORM) | BIT(DIST_NORMAL)),
     .req_mask = BIT(DIST_UNIFORM),
     .def = "0",
     .doc = "Lower end of a uniform's range, or of a normal's clip range (default 0)."},
    {.key = "hi",
     .type = T_REAL,
     .off = D(hi),
     .flags = F_DOMAIN,
     WHEN_DIST(BIT(DIST_UNIFORM) | BIT(DIST_NORMAL)),
     .req_mask = BIT(DIST_UNIFORM),
     .def = "1",
     .doc = "Upper end of a uniform's range, or of a normal's clip range (default 1)."},
    {.key = "a",
     .type = T_REAL,
     .off = D(a),
     .lo = 0,
     .hi = INFINITY,
     .flags = F_GT_LO,
     WHEN_DIST(BIT(DIST_BETA)),
     .req_mask = BIT(DIST_BETA),
     .doc = "First shape of the beta."},
    {.key = "b",
     .type = T_REAL,
     .off = D(b),
     .lo = 0,
     .hi = INFINITY,
     .flags = F_GT_LO,
     WHEN_DIST(BIT(DIST_BETA)),
     .req_mask = BIT(DIST_BETA),
     .doc = "Second shape of the beta."},
    {.key = "values",
     .type = T_REALS,
     .off = D(values),
     .flags = F_DOMAIN,
     WHEN_DIST(BIT(DIST_LIST)),
     .req_mask = BIT(DIST_LIST),
     .doc = "One value per agent, in agent id order: exactly population.agents values."},
};
const size_t scn_n_dist_rows = sizeof scn_dist_rows / sizeof scn_dist_rows[0];

int scn_key_depth(const char *key)
{
    int n = 1;
    for (; *key; key++) n += *key == '.';
    return n;
}

int scn_key_split(const char *key, char *buf, const char **comp)
{
    size_t len = strlen(key);
    if (len >= MAX_KEY) return -1;
    memcpy(buf, key, len + 1);
    int n = 0;
    for (char *p = buf;;) {
        if (n == MAX_DEPTH) return -1;
        comp[n++] = p;
        char *dot = strchr(p, '.');
        if (!dot) break;
        *dot = '\0';
        p = dot + 1;
    }
    for (int i = 0; i < n; i++)
        if (!*comp[i]) return -1;
    return n;
}

void scn_key_join(char *out, size_t size, const char **comp, int n)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < n && len < size; i++)
        len += (size_t)snprintf(out + len, size - len, "%s%s", i ? "." : "", comp[i]);
}

const char *scn_key_last(const char *key)
{
    const char *dot = strrchr(key, '.');
    return dot ? dot + 1 : key;
}

void scn_row_range(const struct row *r, const struct row *parent, double *lo, double *hi)
{
    if (r->flags & F_DOMAIN) r = parent;
    if (r->type == T_PROB) {
        *lo = 0;
        *hi = 1;
        return;
    }
    *lo = r->lo;
    *hi = r->hi;
}

/* Rows that share a sibling live in the same array, next to each other,
 * with the same key up to the last component. */
const struct row *scn_row_sibling(const struct row *r)
{
    if (!r->when) return NULL;
    int dist = r >= scn_dist_rows && r < scn_dist_rows + scn_n_dist_rows;
    const struct row *first = dist ? scn_dist_rows : scn_rows;
    size_t n = dist ? scn_n_dist_rows : scn_n_rows;
    size_t prefix = (size_t)(scn_key_last(r->key) - r->key);
    for (size_t i = 0; i < n; i++) {
        const struct row *q = &first[i];
        const char *last = scn_key_last(q->key);
        if (q->fam == r->fam && (size_t)(last - q->key) == prefix &&
            strncmp(q->key, r->key, prefix) == 0 && strcmp(last, r->when) == 0)
            return q;
    }
    return NULL;
}

int scn_row_applies(const struct row *r, int v)
{
    if (!r->when) return 1;
    return v >= 0 && (r->when_mask & BIT(v)) != 0;
}

int scn_field_unset(const struct row *r, const char *addr)
{
    switch (r->type) {
    case T_DATE:
        return *(const int32_t *)addr == PARAMS_NO_DATE;
    case T_SCHEDULE:
        return ((const struct schedule *)addr)->n == 0;
    case T_REAL:
    case T_PROB:
        return isnan(*(const double *)addr);
    case T_ENUM:
        return *(const int *)addr < 0;
    case T_STR:
        return addr[0] == '\0';
    case T_REALS:
        return *(const uint32_t *)(addr + offsetof(struct dist, n_values) -
                                   offsetof(struct dist, values)) == 0;
    default:
        return 0;
    }
}

void scn_field_clear(struct mem *m, const struct row *r, char *addr)
{
    switch (r->type) {
    case T_DATE:
        *(int32_t *)addr = PARAMS_NO_DATE;
        break;
    case T_SCHEDULE: {
        struct schedule *s = (struct schedule *)addr;
        mem_free(m, s->c);
        mem_free(m, s->order);
        memset(s, 0, sizeof *s);
        break;
    }
    case T_REAL:
    case T_PROB:
        *(double *)addr = NAN;
        break;
    case T_ENUM:
        *(int *)addr = -1;
        break;
    case T_STR:
        addr[0] = '\0';
        break;
    case T_REALS: {
        struct dist *d = (struct dist *)(addr - offsetof(struct dist, values));
        mem_free(m, d->values);
        d->values = NULL;
        d->n_values = 0;
        break;
    }
    case T_INTS: {
        struct int_list *l = (struct int_list *)addr;
        mem_free(m, l->v);
        l->v = NULL;
        l->n = 0;
        break;
    }
    case T_NAMED:
        ((struct named_values *)addr)->n = 0;
        break;
    case T_GROUPS:
        memset(addr, 0, sizeof(struct group_set));
        break;
    default:
        memset(addr, 0, r->type == T_U64 ? sizeof(uint64_t) : sizeof(int));
        break;
    }
}

int scn_valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > MAX_NAME - 1) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
        if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return 0;
    }
    return 1;
}

/* Optimal string alignment: Levenshtein plus swapping two neighbours,
 * the commonest slip in a typed key ("mena" for "mean"). */
int scn_edit_distance(const char *a, const char *b)
{
    enum { CAP = 64 };
    size_t na = strlen(a), nb = strlen(b);
    if (na >= CAP || nb >= CAP) return CAP;
    static const int zero[CAP + 1];
    int rows[3][CAP + 1];
    int *pp = rows[0], *prev = rows[1], *cur = rows[2];
    memcpy(pp, zero, sizeof zero);
    for (size_t j = 0; j <= nb; j++) prev[j] = (int)j;
    for (size_t i = 1; i <= na; i++) {
        cur[0] = (int)i;
        for (size_t j = 1; j <= nb; j++) {
            int best = prev[j - 1] + (a[i - 1] != b[j - 1]);
            if (prev[j] + 1 < best) best = prev[j] + 1;
            if (cur[j - 1] + 1 < best) best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                pp[j - 2] + 1 < best)
                best = pp[j - 2] + 1;
            cur[j] = best;
        }
        int *t = pp;
        pp = prev;
        prev = cur;
        cur = t;
    }
    return prev[nb];
}

/* A third of the typed length, so one slip in a short key counts but a
 * one-letter key is never "corrected" into another. */
int scn_close(const char *typed, const char *cand)
{
    int d = scn_edit_distance(typed, cand);
    return d > 0 && d * 3 <= (int)strlen(typed) + 1;
}
