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

/* Whether a change of the schedule starts on `day`, or a ramp is moving on
 * it (so the parameters of `day` may differ from the day before's). */
int sched_changes(const struct params *base, int32_t day);

#endif
