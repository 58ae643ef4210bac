/*
 * fuzz_seeds.c - what the fuzz build generates rather than commits: a
 * checkpoint of the tiny world (fuzz.h; two ties cut, so the cut-tie
 * section is not empty) for fuzz_checkpoint's seed corpus, and a libFuzzer
 * dictionary of every key the printed seed scenario holds, for
 * fuzz_scenario and fuzz_set.
 *
 * Usage: fuzz_seeds CHECKPOINT DICTIONARY
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "scenario/scenario.h"
#include "world/checkpoint.h"
#include "world/world.h"

/* One dictionary entry per distinct key of the printed scenario. */
static int write_dict(const char *path)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mf = open_memstream(&text, &len);
    struct scenario *s = NULL;
    struct ss_error err = {0};
    fz_must(scn_new_default(&s, &err), &err, "the seed scenario");
    if (!mf || scn_print(s, mf, 0) != SS_OK || fclose(mf) != 0) return 1;
    scn_free(s);
    FILE *out = fopen(path, "w");
    if (!out) return 1;
    /* YAML's own punctuation, then the keys */
    static const char *const syntax[] = {"[",    "]",    "{",     "}",     "- ",    ": ",
                                         "&a ",  "*a",   "---",   "...",   "!!str", "~",
                                         "null", "true", "false", "1e308", "-0",    ".nan"};
    for (size_t i = 0; i < sizeof syntax / sizeof *syntax; i++) fprintf(out, "\"%s\"\n", syntax[i]);
    char seen[1 << 15] = "|";
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        line += strspn(line, " -");
        char *colon = strchr(line, ':');
        if (!colon || colon == line || *line == '#') continue;
        *colon = '\0';
        if (strpbrk(line, "\"\\ ") || strlen(line) > 60) continue;
        char probe[70];
        snprintf(probe, sizeof probe, "|%s|", line);
        if (strstr(seen, probe) || strlen(seen) + strlen(probe) >= sizeof seen) continue;
        strcat(seen, probe + 1);
        fprintf(out, "\"%s:\"\n", line);
    }
    free(text);
    return fclose(out) != 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: fuzz_seeds CHECKPOINT DICTIONARY\n");
        return 2;
    }
    struct scenario *s = fz_tiny_scenario();
    struct world w;
    struct mem m = {0};
    struct ss_error err = {0};
    memset(&w, 0, sizeof w);
    fz_must(world_build(&w, scn_params(s), ".", 1, &m, &err), &err, "building the tiny world");
    for (uint32_t l = 0; l < w.net.n_layers; l++)
        if (w.net.layer[l].n_entries > 2) w.net.layer[l].adj[1] = NET_CUT;
    w.day = 3;
    fz_must(ckpt_write(&w, argv[1], scn_text(s), ".", 0, &err), &err, "writing the checkpoint");
    world_free(&w, &m);
    scn_free(s);
    if (write_dict(argv[2])) {
        fprintf(stderr, "fuzz_seeds: cannot write %s\n", argv[2]);
        return 1;
    }
    return 0;
}
