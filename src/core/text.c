/*
 * text.c - UTF-8 sequences, file-safe names, ISO times (see text.h).
 */
#include "core/text.h"

#include <stdint.h>

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

const char *text_iso_utc(char *buf, size_t size, time_t t)
{
    struct tm tm;
    if (size && gmtime_r(&t, &tm) && strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm)) return buf;
    if (size) buf[0] = '\0';
    return NULL;
}
