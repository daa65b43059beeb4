/* Long double arithmetic for INCRBYFLOAT and HINCRBYFLOAT.
 *
 * Redis does these increments in C `long double` (80-bit extended on x86_64, 128-bit on
 * aarch64) and prints the result with "%.17Lf", trailing zeros removed. Rust has no
 * long double type, and a double-based emulation prints different digits
 * (10.5 + 0.1 is "10.6" in Redis, "10.59999999999999964" in f64), so the three
 * operations live here, where the C compiler gives the platform's real long double.
 * Rust sees the values as opaque 16-byte blobs. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { unsigned char b[16]; } ld_blob;

static void put(ld_blob *out, long double v) {
    memset(out->b, 0, sizeof(out->b));
    memcpy(out->b, &v, sizeof(v) < sizeof(out->b) ? sizeof(v) : sizeof(out->b));
}

static long double get(const ld_blob *in) {
    long double v;
    memcpy(&v, in->b, sizeof(v) < sizeof(in->b) ? sizeof(v) : sizeof(in->b));
    return v;
}

/* Parses len bytes as Redis's getLongDoubleFromObject does: the whole string must be a
 * number, no leading space, no NaN, no overflow to infinity, no underflow to zero.
 * Returns 0 on success, -1 otherwise. */
int slotd_ld_parse(const char *s, size_t len, ld_blob *out) {
    char buf[5 * 1024 + 1];
    char *end;
    long double v;
    if (len == 0 || len >= sizeof(buf) || isspace((unsigned char)s[0])) return -1;
    memcpy(buf, s, len);
    buf[len] = 0;
    errno = 0;
    v = strtold(buf, &end);
    if ((size_t)(end - buf) != len) return -1;
    if (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || fpclassify(v) == FP_ZERO)) return -1;
    if (isnan(v)) return -1;
    put(out, v);
    return 0;
}

/* out = a + b. Returns -1 when the sum is NaN or infinite (Redis refuses those). */
int slotd_ld_add(const ld_blob *a, const ld_blob *b, ld_blob *out) {
    long double v = get(a) + get(b);
    if (isnan(v) || isinf(v)) return -1;
    put(out, v);
    return 0;
}

void slotd_ld_from_double(double d, ld_blob *out) { put(out, (long double)d); }

double slotd_ld_to_double(const ld_blob *a) { return (double)get(a); }

/* Formats as Redis's ld2string in "human" mode: "%.17Lf" with trailing zeros (and a
 * trailing dot) removed; "inf"/"-inf" for infinities. Returns the length written, or 0
 * when buf is too small. */
size_t slotd_ld_format_human(const ld_blob *a, char *buf, size_t cap) {
    long double v = get(a);
    int n;
    if (isinf(v)) {
        n = snprintf(buf, cap, "%s", v > 0 ? "inf" : "-inf");
        return (n < 0 || (size_t)n >= cap) ? 0 : (size_t)n;
    }
    n = snprintf(buf, cap, "%.17Lf", v);
    if (n < 0 || (size_t)n + 1 > cap) return 0;
    if (strchr(buf, '.') != NULL) {
        char *p = buf + n - 1;
        while (*p == '0') { p--; n--; }
        if (*p == '.') n--;
    }
    if (n == 2 && buf[0] == '-' && buf[1] == '0') { buf[0] = '0'; n = 1; }
    buf[n] = 0;
    return (size_t)n;
}
