/*
 * exposure.h - what each agent sees of its contacts, and whom it meets.
 *
 * An agent's fear and protest depend on how many of its contacts are
 * listed, interned or protesting; the day's contact figure on which ties
 * are active. The reference day step recounts both by scanning every tie
 * every day. The fast step keeps them: per agent, counts of live ties and
 * of contacts in each visible state (state_visible), changed by +-1 along
 * a row when an agent's visible state changes or a tie is cut; per layer
 * and pair of groups, the live ties between agents neither listed nor
 * interned, whose active number today is one binomial draw. A day then
 * touches only the rows of agents whose state changed, and of the listed
 * (whose ties' draws feed association penalties). Every count is an
 * integer changed by atomic adds, so the result does not depend on the
 * order, and equals a recount (checked in debug builds and by the tests).
 */
#ifndef EXPOSURE_H
#define EXPOSURE_H

#include <stddef.h>
#include <stdint.h>

#include "model/behaviour.h"
#include "scenario/params.h"
#include "scoresim.h"

struct sim;

/* The largest live degree the kept counts can hold; a network with a
 * larger one runs the reference step. */
#define EXPO_MAX_DEGREE UINT16_MAX

struct exposure {
    int enabled;          /* counts kept (fast step); 0: the reference step recounts */
    uint16_t *ties;       /* [n] live ties, all layers */
    uint16_t *listed;     /* [n] ... to contacts listed and not interned */
    uint16_t *interned;   /* [n] ... to interned contacts */
    uint16_t *protesting; /* [n] ... to contacts who protested and are not interned */
    /* [n_layers][MAX_GROUPS][MAX_GROUPS], [l][g][h] with g <= h: live ties
     * between agents neither listed nor interned, counted once. */
    int64_t *free_ties;
    int64_t *net_ties;     /* [n_groups][n_layers] live entries in the rows of group g */
    int64_t *net_in_group; /* [n_groups][n_layers] ... to a contact of group g */
    int64_t *net_cut;      /* [n_groups] cut entries in the rows of group g */
};

/* Set up the counts (sim->xp) unless the reference step was asked for or
 * a degree exceeds EXPO_MAX_DEGREE; then recount them from the state. */
int expo_init(struct sim *sim, struct ss_error *err);
void expo_free(struct sim *sim);
/* Bytes expo_init will hold (the counts, if kept). */
size_t expo_estimate_bytes(const struct params *p);

/* Whether tie (i, j) of layer l is active on `day`: one keyed draw per
 * tie, the same from both ends (keyed by the lower id first). */
int expo_tie_active(const struct sim *sim, uint32_t l, uint32_t i, uint32_t j, uint32_t day);

/* The day's meetings, from the state at the end of yesterday: fills
 * sim->contacts and the ACT_MEET counts; with kept counts, also each
 * agent's meetings with listed contacts into st.acts (read by expo_get). */
void expo_meet(struct sim *sim, uint32_t day);

/* What agent i sees (kept counts; after expo_meet). */
void expo_get(const struct sim *sim, uint32_t i, struct beh_exposure *x);

/* After the household pass: push each agent's change of visible state
 * (recorded in st.acts by sanc_household) along its rows. */
void expo_propagate(struct sim *sim);

/* Tie (i, j) of layer l has just been cut (once): update the counts. */
void expo_cut(struct sim *sim, uint32_t l, uint32_t i, uint32_t j);

/* Recount everything from the state and compare with the kept counts:
 * SS_OK if equal, else SS_EINTERNAL with the first difference in err. */
int expo_check(const struct sim *sim, struct ss_error *err);

#endif
