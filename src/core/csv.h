/*
 * csv.h - a careful reader of comma-separated text (RFC 4180) that knows
 * where every field came from, so that an input file's errors can name
 * FILE:LINE:COL. It owns the syntax only: quotes, "" inside quotes,
 * commas and line breaks inside quotes, CRLF or LF line ends; what the
 * fields mean is its caller's (experiment/targets.c).
 *
 * Choices where RFC 4180 leaves room or is stricter than people's files:
 * a UTF-8 byte order mark at the start is skipped; a record of nothing
 * (an empty line) is skipped; blanks (spaces, tabs) around an unquoted
 * field and outside a quoted field's quotes are not part of it. Columns
 * count characters (UTF-8 code points) from 1, as an editor shows them.
 */
#ifndef CSV_H
#define CSV_H

#include <stddef.h>

#include "core/mem.h"

/* One field of a record. */
struct csv_field {
    const char *s; /* its text, quotes removed and "" made ", NUL-terminated (owned by the
                      reader, valid until the next csv_next) */
    size_t len;    /* bytes of s */
    int line, col; /* where its text starts (a quoted field: the character after the quote) */
    int quoted;    /* 1 if written in quotes */
};

/* A syntax error: where, and what was expected there. */
struct csv_issue {
    int line, col; /* 1-based */
    char msg[200]; /* one line */
};

/* A reader over text held by the caller. Create with csv_init, read with
 * csv_next, free with csv_free. */
struct csv_reader {
    struct mem *m;           /* allocation hook */
    const char *text;        /* the whole input (borrowed) */
    size_t n;                /* its length in bytes */
    size_t pos;              /* next byte to read */
    int line, col;           /* position of text[pos] */
    char *buf;               /* the current record's field texts, each NUL-terminated */
    size_t buf_len, buf_cap; /* bytes used and allocated in buf */
    struct csv_field *field; /* [cap_fields] the current record's fields */
    size_t *off;             /* [cap_fields] where each field's text starts in buf */
    int n_fields;            /* fields of the current record */
    int cap_fields;          /* entries allocated in field and off */
    int record_line;         /* line the current record starts on */
};

/* A reader over text[0 .. n) (not copied: it must outlive the reader, and
 * text[n] must be '\0', where the UTF-8 check stops), allocating through
 * m. */
void csv_init(struct csv_reader *r, struct mem *m, const char *text, size_t n);

/* The next record: returns 1 and sets *fields and *n_fields (the reader's
 * arrays, valid until the next call); 0 at the end of the text; -1 on a
 * syntax error, described in *issue, after which reading resumes at the
 * next line (an unterminated quote runs to the end of the text, so the
 * next call returns 0); -2 when out of memory. Syntax errors: a quote
 * inside an unquoted field, text after a closing quote, a quote never
 * closed, a NUL byte, a byte that is not UTF-8. */
int csv_next(struct csv_reader *r, const struct csv_field **fields, int *n_fields,
             struct csv_issue *issue);

/* The line the record last returned (or rejected) starts on. */
int csv_record_line(const struct csv_reader *r);

/* Free what the reader allocated; accepts a reader that allocated nothing. */
void csv_free(struct csv_reader *r);

#endif
