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
