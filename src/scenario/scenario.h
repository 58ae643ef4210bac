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
/* scn_load_all of text[0 .. len) (any bytes; text[len] need not exist)
 * instead of a file: label names it in messages, and relative paths are
 * taken from label's folder. all may be NULL (only the first error, in
 * err). The text is read over defaults, a scenario from scn_new_default
 * that nothing was read into (copied: scn_copy_fresh), or, when defaults
 * is NULL, over the seed defaults made afresh (what the path versions do:
 * they read their file and call this). */
int scn_load_buffer(struct scenario **out, const struct scenario *defaults, const char *text,
                    size_t len, const char *label, struct ss_errors *all, struct ss_error *err);
/* A copy of fresh, a scenario from scn_new_default that nothing was read
 * into and that is not finished (else SS_EINTERNAL): the same as making
 * the defaults again, without reading each default's YAML (ten times
 * faster: what a caller that reads many scenarios, the fuzzer, wants). */
int scn_copy_fresh(struct scenario **out, const struct scenario *fresh, struct ss_error *err);
/* A scenario from YAML text (a checkpoint's), unfinished: label names it in
 * messages, dir is the folder its relative paths are taken from; read over
 * defaults as scn_load_buffer reads (NULL: the seed defaults). */
int scn_load_text(struct scenario **out, const struct scenario *defaults, const char *text,
                  const char *label, const char *dir, struct ss_error *err);
/* SS_OK if a and b (finished) build the same world: the same population,
 * networks (a layer's contact probability aside), seed and start_date;
 * else SS_EINPUT naming the first key that differs. */
int scn_same_structure(const struct scenario *a, const struct scenario *b, struct ss_error *err);

/* What an experiment's design may vary (experiment/design.c): a key that
 * holds one number. */
enum scn_number_type {
    SCN_NUM_INT,  /* an integer */
    SCN_NUM_REAL, /* a real number */
    SCN_NUM_PROB  /* a probability, 0 to 1 */
};
struct scn_number {
    int type; /* enum scn_number_type */
    int even; /* an integer that must be even */
};
/* What key names in s, looked up without changing s (a layer must already
 * exist): a number (a plain key, a distribution's number such as
 * population.attitude.mean, or one group's entry of a per-group map) into
 * *out; SS_EINPUT, placed at src (what the user wrote, "--param ..."),
 * when key is unknown or holds anything else (a switch, a choice, text, a
 * list, a distribution as a whole, the seed). Its range is not checked
 * here: setting a value and scn_finish decide that. */
int scn_number_of(struct scenario *s, const char *key, const char *src, struct scn_number *out,
                  struct ss_error *err);

#endif
