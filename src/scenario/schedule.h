/*
 * schedule.h - the parameters in force on a day: a scenario's parameters
 * with its schedule's changes up to that day applied (MODEL.md section 10,
 * the rollout). The schedule itself is read and checked with the scenario
 * (schedule.c); this is what a run needs of it each day.
 */
#ifndef SCHEDULE_H
#define SCHEDULE_H

#include <stdint.h>

#include "scenario/params.h"

/* The parameters in force on `day` (0: before the first day) into out:
 * a copy of base (which must be finished: scn_finish) with every change of
 * its schedule that starts on or before `day` applied, in day order, ramps
 * at their value of that day, and the values derived from them (each
 * channel's per-group coverage) recomputed. out shares base's lists. */
void sched_params_at(const struct params *base, int32_t day, struct params *out);

/* The longest value sched_value_text writes, with its NUL. */
#define SCHED_VALUE_LEN 48

/* The value of change c's key in p (parameters of the same scenario), as
 * the schedule holds values: a number, a switch as 0 or 1, a choice as its
 * index (-1 unset). With sched_params_at(base, c->day - 1, p): the value
 * in force before c. */
double sched_value_in(const struct params *p, const struct sched_change *c);

/* v, a value of change c's key, into buf as a scenario file writes it:
 * true or false, a choice's name (~ when unset), a number in the fewest
 * digits that read back as v. */
void sched_value_text(const struct sched_change *c, double v, char buf[SCHED_VALUE_LEN]);

/* Whether a change of the schedule starts on `day`, or a ramp is moving on
 * it (so the parameters of `day` may differ from the day before's). */
int sched_changes(const struct params *base, int32_t day);

#endif
