/*
 * csv.c - comma-separated records with the place of every field (see
 * csv.h). One pass over the text, one record at a time; a record's field
 * texts are copied into one buffer (quotes removed, "" made ") so that
 * each is a C string.
 */
#include "core/csv.h"

#include <stdio.h>
#include <string.h>

#include "core/text.h"

void csv_init(struct csv_reader *r, struct mem *m, const char *text, size_t n)
{
    memset(r, 0, sizeof *r);
    r->m = m;
    r->text = text;
    r->n = n;
    r->line = r->col = 1;
    /* A byte order mark says UTF-8 and nothing else: not part of the first field. */
    if (n >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) r->pos = 3;
}

void csv_free(struct csv_reader *r)
{
    mem_free(r->m, r->buf);
    mem_free(r->m, r->field);
    mem_free(r->m, r->off);
    r->buf = NULL;
    r->field = NULL;
    r->off = NULL;
    r->buf_len = r->buf_cap = 0;
    r->n_fields = r->cap_fields = 0;
}

int csv_record_line(const struct csv_reader *r)
{
    return r->record_line;
}

static int issue_at(struct csv_issue *is, int line, int col, const char *msg)
{
    is->line = line;
    is->col = col;
    snprintf(is->msg, sizeof is->msg, "%s", msg);
    return -1;
}

static int peek(const struct csv_reader *r, size_t ahead)
{
    return r->pos + ahead < r->n ? (unsigned char)r->text[r->pos + ahead] : -1;
}

static int is_blank(int c)
{
    return c == ' ' || c == '\t';
}

/* Whether a line ends at pos: LF, or CR LF. */
static int at_line_end(const struct csv_reader *r)
{
    int c = peek(r, 0);
    return c == '\n' || (c == '\r' && peek(r, 1) == '\n');
}

/* Step over the line end at pos. */
static void eat_line_end(struct csv_reader *r)
{
    r->pos += peek(r, 0) == '\r' ? 2 : 1;
    r->line++;
    r->col = 1;
}

/* Append n bytes to the record's buffer; 0, or -2 when out of memory. */
static int buf_add(struct csv_reader *r, const char *s, size_t n)
{
    if (r->buf_len + n + 1 > r->buf_cap) {
        size_t cap = r->buf_cap ? r->buf_cap : 256;
        while (cap < r->buf_len + n + 1) cap *= 2;
        char *b = mem_realloc(r->m, r->buf, cap);
        if (!b) return -2;
        r->buf = b;
        r->buf_cap = cap;
    }
    memcpy(r->buf + r->buf_len, s, n);
    r->buf_len += n;
    r->buf[r->buf_len] = '\0';
    return 0;
}

/* Start a field at (line, col) whose text begins at the buffer's end. */
static int field_start(struct csv_reader *r, int line, int col, int quoted)
{
    if (r->n_fields == r->cap_fields) {
        int cap = r->cap_fields ? 2 * r->cap_fields : 16;
        struct csv_field *f = mem_realloc(r->m, r->field, (size_t)cap * sizeof *f);
        if (!f) return -2;
        r->field = f;
        size_t *o = mem_realloc(r->m, r->off, (size_t)cap * sizeof *o);
        if (!o) return -2;
        r->off = o;
        r->cap_fields = cap;
    }
    struct csv_field *f = &r->field[r->n_fields];
    f->line = line;
    f->col = col;
    f->quoted = quoted;
    r->off[r->n_fields] = r->buf_len;
    r->n_fields++;
    /* Every field is NUL-terminated, the empty one too. */
    return buf_add(r, "", 0);
}

/* Copy the character at pos into the buffer and step over it. Returns 0;
 * -1 with *issue if it is a NUL byte or not UTF-8; -2 out of memory. */
static int take_char(struct csv_reader *r, struct csv_issue *issue)
{
    const char *p = r->text + r->pos;
    if (*p == '\0') return issue_at(issue, r->line, r->col, "a NUL byte: expected text");
    size_t len = text_utf8_len(p);
    if (len == 0 || r->pos + len > r->n)
        return issue_at(issue, r->line, r->col, "a byte that is not UTF-8: expected UTF-8 text");
    if (buf_add(r, p, len)) return -2;
    r->pos += len;
    r->col++;
    return 0;
}

/* After an error: go on reading at the next line. */
static void skip_line(struct csv_reader *r)
{
    while (r->pos < r->n && !at_line_end(r)) {
        size_t len = text_utf8_len(r->text + r->pos);
        r->pos += len ? len : 1;
        r->col++;
    }
    if (r->pos < r->n) eat_line_end(r);
}

/* A quoted field, pos at its opening quote. */
static int quoted_field(struct csv_reader *r, struct csv_issue *issue)
{
    int qline = r->line, qcol = r->col;
    r->pos++;
    r->col++;
    int rc = field_start(r, r->line, r->col, 1);
    if (rc) return rc;
    for (;;) {
        int c = peek(r, 0);
        if (c < 0) {
            r->pos = r->n;
            return issue_at(issue, qline, qcol,
                            "a quote opened here is never closed: expected a closing '\"'");
        }
        if (c == '"') {
            r->pos++;
            r->col++;
            if (peek(r, 0) != '"') break;
            if (buf_add(r, "\"", 1)) return -2; /* "" is one quote */
            r->pos++;
            r->col++;
        } else if (at_line_end(r)) {
            if (buf_add(r, "\n", 1)) return -2; /* a line break inside the quotes */
            eat_line_end(r);
        } else if ((rc = take_char(r, issue)) != 0) {
            return rc;
        }
    }
    while (is_blank(peek(r, 0))) r->pos++, r->col++;
    int c = peek(r, 0);
    if (c >= 0 && c != ',' && !at_line_end(r))
        return issue_at(issue, r->line, r->col,
                        "text after a closing quote: expected a comma or the end of the line "
                        "(a quote inside a quoted field is written \"\")");
    return 0;
}

/* An unquoted field, pos at its first character that is not blank. */
static int plain_field(struct csv_reader *r, struct csv_issue *issue)
{
    int rc = field_start(r, r->line, r->col, 0);
    if (rc) return rc;
    size_t keep = r->buf_len; /* the buffer's length without trailing blanks */
    for (;;) {
        int c = peek(r, 0);
        if (c < 0 || c == ',' || at_line_end(r)) break;
        if (c == '"')
            return issue_at(issue, r->line, r->col,
                            "a quote inside an unquoted field: quote the whole field, and write "
                            "a quote inside it as \"\"");
        if (c == '\r')
            return issue_at(issue, r->line, r->col,
                            "a carriage return without a line feed: expected a line end of LF "
                            "or CR LF");
        if ((rc = take_char(r, issue)) != 0) return rc;
        if (!is_blank(c)) keep = r->buf_len;
    }
    r->buf_len = keep;
    r->buf[keep] = '\0';
    return 0;
}

int csv_next(struct csv_reader *r, const struct csv_field **fields, int *n_fields,
             struct csv_issue *issue)
{
    for (;;) {
        if (r->pos >= r->n) return 0;
        r->record_line = r->line;
        r->n_fields = 0;
        r->buf_len = 0;
        for (;;) {
            while (is_blank(peek(r, 0))) r->pos++, r->col++;
            int rc = peek(r, 0) == '"' ? quoted_field(r, issue) : plain_field(r, issue);
            if (rc == -1) skip_line(r);
            if (rc) return rc;
            /* Keep the field's NUL (buf_add always leaves room for it): the
             * next field's text starts after it. */
            r->buf[r->buf_len++] = '\0';
            if (peek(r, 0) != ',') break;
            r->pos++;
            r->col++;
        }
        if (r->pos < r->n) eat_line_end(r);
        /* An empty (or blank) line is no record. */
        if (r->n_fields == 1 && !r->field[0].quoted && r->buf[r->off[0]] == '\0') continue;
        for (int i = 0; i < r->n_fields; i++) {
            r->field[i].s = r->buf + r->off[i];
            r->field[i].len = strlen(r->field[i].s);
        }
        *fields = r->field;
        *n_fields = r->n_fields;
        return 1;
    }
}
