/*
 * text.c - UTF-8 sequences, file-safe names, ISO times (see text.h).
 */
#include "core/text.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

size_t text_utf8_len(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned c = s[0];
    if (c < 0x80) return 1;
    size_t n;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0)
        n = 2, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0)
        n = 3, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0)
        n = 4, cp = c & 0x07;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0; /* also stops at the NUL */
        cp = cp << 6 | (s[i] & 0x3F);
    }
    static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

size_t text_utf8_len_n(const char *s, size_t n)
{
    char c[5] = {0};
    memcpy(c, s, n < 4 ? n : 4);
    return text_utf8_len(c);
}

void text_position(const char *text, size_t len, size_t at, int *line, int *col)
{
    long long l = 1, c = 1;
    if (at > len) at = len;
    for (size_t i = 0; i < at;) {
        if (text[i] == '\n') {
            l++, c = 1, i++;
            continue;
        }
        size_t k = text_utf8_len_n(text + i, len - i);
        i += k ? k : 1;
        c++;
    }
    /* positions past INT_MAX are shown as INT_MAX rather than wrapped */
    *line = l > 0x7fffffff ? 0x7fffffff : (int)l;
    *col = c > 0x7fffffff ? 0x7fffffff : (int)c;
}

void text_escape(char *out, size_t size, const char *s, size_t n, int backslash)
{
    if (size < 8) {
        if (size) out[0] = '\0';
        return;
    }
    size_t j = 0, i = 0;
    const size_t room = size - 4; /* keep room for "..." and the NUL */
    while (i < n) {
        const unsigned char c = (unsigned char)s[i];
        char esc[8];
        size_t k = 1, w;
        if (c >= 0x20 && c < 0x7f && (c != '\\' || !backslash)) {
            esc[0] = (char)c, w = 1;
        } else if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
            esc[0] = '\\';
            esc[1] = c == '\\' ? '\\' : c == '\t' ? 't' : c == '\n' ? 'n' : 'r';
            w = 2;
        } else {
            size_t u = c >= 0x80 ? text_utf8_len_n(s + i, n - i) : 0;
            /* C1 controls (U+0080 to U+009F) are two bytes C2 80 to C2 9F */
            if (u > 1 && !(u == 2 && c == 0xC2 && (unsigned char)s[i + 1] < 0xA0)) {
                memcpy(esc, s + i, u);
                k = w = u;
            } else {
                snprintf(esc, sizeof esc, "\\x%02X", c);
                w = 4;
            }
        }
        if (j + w > room) break;
        memcpy(out + j, esc, w);
        j += w;
        i += k;
    }
    if (i < n) memcpy(out + j, "...", 3), j += 3;
    out[j] = '\0';
}

void text_safe_name(char *out, size_t size, const char *name)
{
    if (size < 2) {
        if (size) out[0] = '\0';
        return;
    }
    size_t j = 0;
    for (size_t i = 0; name[i] && j + 1 < size; i++) {
        char c = name[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || c == '.';
        out[j++] = ok ? c : '_';
    }
    out[j] = '\0';
    /* Never hidden, and never "", "." or "..", which name no new folder. */
    if (j == 0 || out[0] == '.') out[0] = '_', out[j ? j : 1] = '\0';
}

void text_sets_name(char *out, size_t size, const char *const *sets, int n, const char *skip_key)
{
    char buf[1024] = "", part[300];
    size_t len = 0;
    uint32_t hash = 2166136261u; /* FNV-1a over every override kept */
    for (int i = 0; i < n && sets[i]; i++) {
        const char *s = sets[i], *eq = strchr(s, '=');
        const char *ka = s, *kb = eq ? eq : s + strlen(s);
        while (ka < kb && (*ka == ' ' || *ka == '\t')) ka++;
        while (kb > ka && (kb[-1] == ' ' || kb[-1] == '\t')) kb--;
        if (skip_key && strlen(skip_key) == (size_t)(kb - ka) && !strncmp(ka, skip_key, kb - ka))
            continue;
        for (const char *p = s; *p; p++) hash = (hash ^ (unsigned char)*p) * 16777619u;
        hash = (hash ^ 0xFFu) * 16777619u; /* a separator: "a=b","c" is not "a=bc" */
        char kv[300];
        const char *va = eq ? eq + 1 : "";
        while (*va == ' ' || *va == '\t') va++;
        snprintf(kv, sizeof kv, "%.*s-%s", (int)(kb - ka), ka, va);
        text_safe_name(part, sizeof part, kv);
        int k = len < 100 ? snprintf(buf + len, sizeof buf - len, "%s%s", len ? "_" : "", part)
                          : 0; /* long enough to be cut: only the hash goes on */
        if (k > 0) len += (size_t)k;
    }
    if (len > 64) snprintf(buf + 55, sizeof buf - 55, "-%08x", (unsigned)hash);
    snprintf(out, size, "%s", buf);
}

const char *text_iso_utc(char *buf, size_t size, time_t t)
{
    struct tm tm;
    if (size && gmtime_r(&t, &tm) && strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm)) return buf;
    if (size) buf[0] = '\0';
    return NULL;
}

/* Days from 1970-01-01 to y-m-d, and back (after Howard Hinnant's
 * days_from_civil: eras of 400 years, March-based years so that the leap
 * day comes last). */
static int32_t text_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

static void text_civil_from_days(int32_t z, int *y, int *m, int *d)
{
    z += 719468;
    const int32_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int doe = (int)(z - era * 146097);
    const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400) + (*m <= 2);
}

int text_date_parse(const char *s, int32_t *days)
{
    int v[3] = {0, 0, 0};
    static const int width[3] = {4, 2, 2};
    for (int k = 0; k < 3; k++) {
        for (int i = 0; i < width[k]; i++, s++) {
            if (*s < '0' || *s > '9') return -1;
            v[k] = v[k] * 10 + (*s - '0');
        }
        if (*s++ != (k < 2 ? '-' : '\0')) return -1;
    }
    int y = v[0], m = v[1], d = v[2];
    if (y < 1000 || m < 1 || m > 12 || d < 1) return -1;
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > len[m - 1] + (m == 2 && leap)) return -1;
    *days = text_days_from_civil(y, m, d);
    return 0;
}

void text_date_format(int32_t days, char buf[TEXT_DATE_LEN])
{
    int y, m, d;
    text_civil_from_days(days, &y, &m, &d);
    /* the moduli only tell the compiler the widths (a date has them) */
    snprintf(buf, TEXT_DATE_LEN, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u);
}
