/*
 * strbuf.c - the string builder and the JSON string writer (see strbuf.h).
 */
#include "core/strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"

#define SBUF_FIRST_CAP 256 /* bytes of the first allocation */

void sbuf_init(struct sbuf *b, struct mem *m)
{
    memset(b, 0, sizeof *b);
    b->m = m;
}

/* Room for extra more bytes and the NUL; 0, or -1 with nomem set. The
 * first call allocates even for no bytes, so that a taken text exists. */
static int sbuf_reserve(struct sbuf *b, size_t extra)
{
    if (b->nomem) return -1;
    if (extra > SIZE_MAX - 1 - b->n) {
        b->nomem = 1;
        return -1;
    }
    size_t need = b->n + extra + 1;
    if (b->s && need <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : SBUF_FIRST_CAP;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    char *s = mem_realloc(b->m, b->s, cap);
    if (!s) {
        b->nomem = 1;
        return -1;
    }
    if (!b->s) s[0] = '\0';
    b->s = s;
    b->cap = cap;
    return 0;
}

void sbuf_addn(struct sbuf *b, const char *s, size_t n)
{
    if (sbuf_reserve(b, n)) return;
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

void sbuf_add(struct sbuf *b, const char *s)
{
    sbuf_addn(b, s, strlen(s));
}

void sbuf_vprintf(struct sbuf *b, const char *fmt, va_list ap)
{
    if (b->nomem) return;
    va_list again;
    va_copy(again, ap);
    /* Most appends fit in what is left: format once, straight in place. */
    size_t room = b->s ? b->cap - b->n : 0;
    int k = vsnprintf(room ? b->s + b->n : NULL, room, fmt, ap);
    if (k >= 0 && (size_t)k >= room && sbuf_reserve(b, (size_t)k) == 0)
        vsnprintf(b->s + b->n, (size_t)k + 1, fmt, again);
    va_end(again);
    /* vsnprintf fails only for text beyond INT_MAX bytes: as good as out
     * of memory, and reported the same way. */
    if (k < 0) b->nomem = 1;
    if (b->nomem) {
        if (b->s) b->s[b->n] = '\0'; /* drop what a cut-off format left */
        return;
    }
    b->n += (size_t)k;
}

void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sbuf_vprintf(b, fmt, ap);
    va_end(ap);
}

void sbuf_json_text(struct sbuf *b, const char *str)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    while (*s) {
        unsigned c = *s;
        size_t n = text_utf8_len((const char *)s);
        if (n == 0) {
            sbuf_add(b, "\\ufffd");
            s++;
        } else if (n == 3 && c == 0xE2 && s[1] == 0x80 && (s[2] == 0xA8 || s[2] == 0xA9)) {
            /* Line ends to JavaScript, though not to JSON. */
            sbuf_add(b, s[2] == 0xA8 ? "\\u2028" : "\\u2029");
            s += 3;
        } else if (n > 1) {
            sbuf_addn(b, (const char *)s, n);
            s += n;
        } else {
            switch (c) {
            case '"':
                sbuf_add(b, "\\\"");
                break;
            case '\\':
                sbuf_add(b, "\\\\");
                break;
            case '\n':
                sbuf_add(b, "\\n");
                break;
            case '\t':
                sbuf_add(b, "\\t");
                break;
            case '<': /* no "</script>" or "<!--" can close or open markup */
            case '>':
            case '&':
                sbuf_printf(b, "\\u%04x", c);
                break;
            default:
                if (c < 0x20 || c == 0x7F)
                    sbuf_printf(b, "\\u%04x", c);
                else
                    sbuf_addn(b, (const char *)s, 1);
            }
            s++;
        }
    }
}

void sbuf_json(struct sbuf *b, const char *s)
{
    sbuf_add(b, "\"");
    sbuf_json_text(b, s);
    sbuf_add(b, "\"");
}

void sbuf_clear(struct sbuf *b)
{
    b->n = 0;
    if (b->s) b->s[0] = '\0';
}

const char *sbuf_str(const struct sbuf *b, struct ss_error *err, const char *what)
{
    if (b->nomem) {
        err_nomem(err, what);
        return NULL;
    }
    return b->s ? b->s : "";
}

char *sbuf_take(struct sbuf *b, struct ss_error *err, const char *what)
{
    sbuf_reserve(b, 0);
    if (b->nomem) {
        sbuf_free(b);
        err_nomem(err, what);
        return NULL;
    }
    char *s = b->s;
    b->s = NULL;
    b->n = b->cap = 0;
    return s;
}

void sbuf_free(struct sbuf *b)
{
    if (!b) return;
    mem_free(b->m, b->s);
    b->s = NULL;
    b->n = b->cap = 0;
    b->nomem = 0;
}
