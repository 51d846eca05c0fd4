/* Long double parsing and formatting with Redis's exact rules (util.c
 * string2ld and ld2string with LD_STR_HUMAN), for INCRBYFLOAT and
 * HINCRBYFLOAT: Rust has no `long double`. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LONG_DOUBLE_CHARS (5 * 1024)

/* string2ld: 1 on success. */
static int ferrodis_string2ld(const char *s, size_t slen, long double *dp) {
    char buf[MAX_LONG_DOUBLE_CHARS];
    long double value;
    char *eptr;
    if (slen == 0 || slen >= sizeof(buf)) return 0;
    memcpy(buf, s, slen);
    buf[slen] = '\0';
    errno = 0;
    value = strtold(buf, &eptr);
    if (isspace((unsigned char)buf[0]) || eptr[0] != '\0' ||
        (size_t)(eptr - buf) != slen ||
        ((errno == ERANGE) &&
         (value == HUGE_VALL || value == -HUGE_VALL || fpclassify(value) == FP_ZERO)) ||
        isnan(value))
        return 0;
    *dp = value;
    return 1;
}

/* Adds two decimal strings in long double and formats the sum with "%.17Lf"
 * less trailing zeros. Returns the length written to out, or
 * -1 when a is not a valid float, -2 when b is not, -3 when the sum is NaN
 * or infinite, -4 when formatting fails. */
long ferrodis_ld_add(const char *a, size_t alen, const char *b, size_t blen,
                     char *out, size_t outlen) {
    long double va, vb, sum;
    int len;
    if (!ferrodis_string2ld(a, alen, &va)) return -1;
    if (!ferrodis_string2ld(b, blen, &vb)) return -2;
    sum = va + vb;
    if (isnan(sum) || isinf(sum)) return -3;
    len = snprintf(out, outlen, "%.17Lf", sum);
    if (len < 0 || (size_t)len + 1 > outlen) return -4;
    if (strchr(out, '.') != NULL) {
        char *p = out + len - 1;
        while (*p == '0') {
            p--;
            len--;
        }
        if (*p == '.') len--;
    }
    if (len == 2 && out[0] == '-' && out[1] == '0') {
        out[0] = '0';
        len = 1;
    }
    return len;
}

/* string2ld alone: 1 when s is a valid long double. */
int ferrodis_is_ld(const char *s, size_t slen) {
    long double v;
    return ferrodis_string2ld(s, slen, &v);
}

/* getTimeoutFromObjectOrReply's seconds path: the value times 1000, rounded
 * up, in long double (so "-0.001" rounds to 0 as in Redis). Returns 1 and
 * sets *ms, or 0 when s is not a valid long double. Values outside the
 * long long range give LLONG_MIN, as the x86 conversion does. */
int ferrodis_ld_timeout_ms(const char *s, size_t slen, long long *ms) {
    long double v;
    if (!ferrodis_string2ld(s, slen, &v)) return 0;
    v = ceill(v * 1000.0L);
    if (v >= -9223372036854775808.0L && v < 9223372036854775808.0L)
        *ms = (long long)v;
    else
        *ms = (-9223372036854775807LL - 1);
    return 1;
}
