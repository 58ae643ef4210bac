/*
 * file.h - opening the files a user hands us (scenarios, edge lists,
 * targets, checkpoints): only regular files are read, so a FIFO, a device
 * or a directory is refused at once by name instead of blocking or
 * failing oddly; a whole-file read has a size limit; and a text's NUL
 * bytes and invalid UTF-8 are found with their line and column
 * (text_position), and quoted escaped (text_escape).
 */
#ifndef FILE_H
#define FILE_H

#include <stddef.h>
#include <stdio.h>

#include "core/error.h"
#include "core/mem.h"

/* Open path for reading if it is a regular file: opened with O_NONBLOCK
 * (a FIFO with no writer cannot block the open), checked with fstat, then
 * read normally. what names the file in messages ("the scenario file").
 * Returns SS_OK with *out open (the caller fcloses it); SS_EINPUT naming
 * path ("cannot read the scenario file: ...") when it cannot be opened
 * (the system's reason) or is not a regular file ("it is a directory",
 * "it is a FIFO", ...); SS_EIO when a system call after the open fails. */
int file_open_regular(const char *path, const char *what, FILE **out, struct ss_error *err);

/* file_open_regular's work without the message: NULL with *out open and
 * *code SS_OK, or the reason ("No such file or directory", "it is a
 * directory, not a regular file") with *code SS_EINPUT (SS_EIO when a
 * system call after the open failed). The reason is a static string. */
const char *file_open_why(const char *path, FILE **out, int *code);

/* The whole regular file at path (file_open_regular), NUL-terminated, in
 * *text (allocated through m, the caller frees it) and its length in *len
 * (the text holds no NUL byte before text[len] when this succeeds with
 * check_text). SS_EINPUT when it is longer than max bytes (the limit in
 * the message, in MiB when it is a whole number of them), and, with
 * check_text, at the first NUL byte or byte that is not UTF-8
 * (file_check_text). */
int file_read_all(const char *path, const char *what, size_t max, int check_text, struct mem *m,
                  char **text, size_t *len, struct ss_error *err);

/* SS_OK if text[0 .. len) is UTF-8 without a NUL byte; else SS_EINPUT
 * placed at label and the first offending byte (text_position: line and
 * column from 1, as an editor counts them), saying which byte it is and
 * that UTF-8 text was expected in what ("the scenario file"). Reads no
 * byte past text[len - 1]. */
int file_check_text(const char *text, size_t len, const char *label, const char *what,
                    struct ss_error *err);

#endif
