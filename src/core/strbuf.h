/*
 * strbuf.h - the one string builder: text of any length, grown through the
 * allocation hook, and the one JSON string writer.
 *
 * Builders are filled by many small appends, often in loops, so an
 * allocation failure is not returned by each append: it is remembered, every
 * later append does nothing, and it is reported once, through the error
 * path, when the text is read (sbuf_str) or taken (sbuf_take).
 */
#ifndef STRBUF_H
#define STRBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/error.h"
#include "core/mem.h"

struct sbuf {
    struct mem *m; /* allocation hook; never NULL */
    char *s;       /* the text, NUL-terminated; NULL until the first append */
    size_t n;      /* length */
    size_t cap;    /* bytes allocated */
    int nomem;     /* an allocation failed: appends do nothing from then on */
};

/* An empty builder allocating through m. Owns nothing until the first
 * append; "struct sbuf b = {.m = m}" is the same. */
void sbuf_init(struct sbuf *b, struct mem *m);

/* Append n bytes of s, a C string, or printf-style text. */
void sbuf_addn(struct sbuf *b, const char *s, size_t n);
void sbuf_add(struct sbuf *b, const char *s);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) ERR_PRINTF(2, 3);
void sbuf_vprintf(struct sbuf *b, const char *fmt, va_list ap);

/* Append s (NULL reads as "") as a JSON string, quoted, or only its body.
 * The text is safe inside an HTML <script> element too, so that the same
 * writer serves the database and the report: '<', '>' and '&' become
 * \u003c, \u003e and \u0026, U+2028 and U+2029 become \u2028 and \u2029,
 * '"' and '\' are escaped, newline and tab become \n and \t, other control
 * characters and DEL \u00XX, and each byte that does not start a valid
 * UTF-8 sequence becomes \ufffd. Valid UTF-8 passes as it is. */
void sbuf_json(struct sbuf *b, const char *s);
void sbuf_json_text(struct sbuf *b, const char *s);

/* Empty the text, keeping its memory (and a remembered failure), to build
 * the next text in the same buffer. */
void sbuf_clear(struct sbuf *b);

/* The text so far (still owned by b; "" when nothing was appended), or
 * NULL after reporting the allocation failure as out of memory while
 * doing `what` ("building the report"). */
const char *sbuf_str(const struct sbuf *b, struct ss_error *err, const char *what);

/* The text, now the caller's (free it with mem_free(b->m, ...)), and b
 * empty again; or NULL after reporting the allocation failure (or failing
 * to allocate an empty text) as out of memory while doing `what`, the text
 * freed. */
char *sbuf_take(struct sbuf *b, struct ss_error *err, const char *what);

/* Free the text and empty b (its hook kept, the failure forgotten).
 * Accepts NULL, and a builder that owns nothing. */
void sbuf_free(struct sbuf *b);

#endif
