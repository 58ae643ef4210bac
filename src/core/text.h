/*
 * text.h - small text rules that more than one layer needs: what counts as
 * UTF-8 (and where a byte is, and how an untrusted one is shown in a
 * message), what a scenario's name becomes in a file name, and how a time is
 * written in the results (ISO 8601, UTC).
 */
#ifndef TEXT_H
#define TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Length of the valid UTF-8 sequence s starts with (1 to 4; 1 for an ASCII
 * byte), or 0 if s does not start one: a stray or missing continuation
 * byte, an overlong form, a surrogate or a code point above U+10FFFF.
 * Reads no further than a NUL. */
size_t text_utf8_len(const char *s);
/* text_utf8_len of s[0 .. n) (n at least 1), never reading s[n] or past
 * it: for text that is not NUL-terminated. */
size_t text_utf8_len_n(const char *s, size_t n);

/* Line and column (both from 1; the column counts UTF-8 characters, each
 * byte that is not UTF-8 as one) of byte offset at of text[0 .. len). */
void text_position(const char *text, size_t len, size_t at, int *line, int *col);

/* s[0 .. n) made safe to show in a message, into out (size bytes, at
 * least 8): printable ASCII and valid UTF-8 characters from U+00A0 up are
 * copied; a tab is written "\t", a line feed "\n", a carriage return
 * "\r", and every other byte (other controls, DEL, C1 controls, a NUL,
 * bytes that are not UTF-8) "\xHH"; with backslash, a backslash is
 * written "\\" (so that a quoted excerpt reads back unambiguously). What
 * does not fit is cut, and "..." marks the cut. Reads no byte at or past
 * s + n. */
void text_escape(char *out, size_t size, const char *s, size_t n, int backslash);

/* name reduced to characters safe in a file name on every system, into out
 * (size bytes, at least 2): letters, digits, '-', '_' and '.' are kept,
 * every other byte becomes '_', and an empty result, or one that starts
 * with '.' (hidden, or "." and ".."), has its first character replaced by
 * '_' (so "" becomes "_" and ".x" "_x"). Cut to size - 1 bytes. */
void text_safe_name(char *out, size_t size, const char *name);

/* The overrides sets[0 .. n) ("key=value", as given to --set) as a part of
 * a file name, into out (size bytes, at least 32): each "key-value" made
 * safe (text_safe_name), joined by '_', in order; an override of skip_key
 * (NULL: none) is left out. A name longer than 64 bytes is cut to 55 and
 * ends in '-' and 8 hexadecimal digits of a hash of every override, so
 * that different overrides never share a cut name by accident. "" when
 * nothing is left. */
void text_sets_name(char *out, size_t size, const char *const *sets, int n, const char *skip_key);

/* t as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 21 bytes); returns buf,
 * or NULL with buf "" if t cannot be written so. */
const char *text_iso_utc(char *buf, size_t size, time_t t);

/* Calendar dates as days since 1970-01-01 (proleptic Gregorian). */
#define TEXT_DATE_LEN 11 /* "YYYY-MM-DD" and its NUL */
/* Parse exactly "YYYY-MM-DD" (year 1000 to 9999, a real day of that month)
 * into *days. Returns 0, or -1 if s is not such a date. */
int text_date_parse(const char *s, int32_t *days);
/* days as "YYYY-MM-DD" into buf (TEXT_DATE_LEN bytes). */
void text_date_format(int32_t days, char buf[TEXT_DATE_LEN]);

#endif
