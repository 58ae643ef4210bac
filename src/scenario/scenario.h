/*
 * scenario.h - scenario files: the parameter table, YAML parsing,
 * validation, --set, printing and the reference docs. The public calls are
 * in scoresim.h; these are for the rest of the library.
 */
#ifndef SCENARIO_H
#define SCENARIO_H

#include "scenario/params.h"
#include "scoresim.h"

/* The parameters; valid only after scn_finish succeeded. */
const struct params *scn_params(const struct scenario *s);
/* The path it was read from, or "" for the built-in seed scenario. */
const char *scn_path(const struct scenario *s);
/* The folder relative paths in it are taken from ("." if built in). */
const char *scn_dir(const struct scenario *s);
/* The effective scenario as YAML (every key, after overrides), as stored in
 * the run table; owned by s, valid until scn_free. */
const char *scn_text(const struct scenario *s);
/* scn_load whose allocation hook fails its fail_at-th allocation (1-based;
 * 0: never), so tests can prove out-of-memory is reported, not crashed on. */
int scn_load_mem(struct scenario **out, const char *path, long fail_at, struct ss_error *err);

#endif
