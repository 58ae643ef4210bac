/*
 * plan_internal.h - what the files of the experiment's plan share among
 * themselves (plan.c: the plan, its accessors, the sweep's and listed
 * points' plans; plan_vary.c: --vary and --baseline; plan_compare.c: a
 * comparison's plan). Not part of any other module's interface:
 * experiment.h is the public face.
 */
#ifndef PLAN_INTERNAL_H
#define PLAN_INTERNAL_H

#include <stddef.h>

#include "core/error.h"
#include "experiment/experiment.h"

struct scenario;

/* plan.c */
/* A copy of s[0..k) from the plan's memory, or NULL. */
char *plan_strndup(struct exp_plan *pl, const char *s, size_t k);
/* A new empty plan of kind with o's replicates checked into *out. */
int plan_new(struct exp_plan **out, int kind, const struct exp_options *o, struct ss_error *err);
/* Load file (NULL: the seed scenario), apply sets then extra in order,
 * finish. On error *out is NULL and err says where. */
int plan_load(struct scenario **out, const char *file, const char *const *sets, int n_sets,
              const char *const *extra, int n_extra, struct ss_error *err);
/* Take name, text and seed of the finished base scenario s. */
int plan_base(struct exp_plan *pl, const struct scenario *s, char **text, struct ss_error *err);

/* plan_vary.c */
/* Parse "KEY=V1,V2,..." into ax. */
int plan_parse_axis(struct exp_plan *pl, const char *spec, struct exp_axis *ax,
                    struct ss_error *err);
/* The point --baseline names: a point number, or KEY=VALUE pairs that
 * leave exactly one point. */
int plan_baseline(struct exp_plan *pl, const char *spec, struct ss_error *err);

#endif
