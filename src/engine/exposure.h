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

#include "core/mem.h"
#include "model/behaviour.h"
#include "model/tally.h"
#include "scenario/params.h"
#include "scoresim.h"
#include "world/world.h"

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

/* Set up the counts of w unless `reference` asks for the reference step
 * or a degree exceeds EXPO_MAX_DEGREE (xp->enabled says which); then
 * recount them from the world. */
int expo_init(struct exposure *xp, const struct world *w, int reference, int threads, struct mem *m,
              struct ss_error *err);
void expo_free(struct exposure *xp, struct mem *m);
/* Bytes expo_init will hold (the counts, if kept). */
size_t expo_estimate_bytes(const struct params *p);

/* The day's meetings, from the world at the end of yesterday: writes
 * contacts ([n_groups + 1][n_layers] tie ends active today) and the
 * ACT_MEET counts; with kept counts, also adds each agent's meetings with
 * listed contacts into met_listed[0 .. n), which must be all zero (it is
 * at eng_create, and expo_get consumes each agent's count). An interned
 * agent is met by no one, so its entry stays zero. */
void expo_meet(const struct exposure *xp, const struct world *w, uint32_t day, int threads,
               uint16_t *met_listed, int64_t *contacts, struct day_counts *counts);

/* What agent i sees (kept counts; after expo_meet), taking (and zeroing)
 * its count of today's meetings with listed contacts. */
void expo_get(const struct exposure *xp, uint16_t *met_listed, uint32_t i, struct beh_exposure *x);

/* After the household pass: push each agent's change of visible state
 * (state_visible of status_before[i], its status before the pass, against
 * its status now) along its rows. */
void expo_propagate(struct exposure *xp, const struct world *w, const uint8_t *status_before,
                    int threads);

/* What ostracism's cut hook (sanctions.h) needs to keep the counts. */
struct expo_cutter {
    struct exposure *xp;   /* the counts */
    const struct world *w; /* the world whose tie was cut */
};
/* Tie (i, j) of layer l has just been cut (once): update the counts. A
 * sanc_cut_hook function; cutter is a struct expo_cutter. */
void expo_on_cut(void *cutter, uint32_t l, uint32_t i, uint32_t j);

/* Recount everything from the world and compare with the kept counts:
 * SS_OK if equal, else SS_EINTERNAL with the first difference in err. */
int expo_check(const struct exposure *xp, const struct world *w, int threads, struct ss_error *err);

#endif
