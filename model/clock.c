/* Virtual time: RFC 3339 UTC formatting and parsing, durations (INV-TIME). */
#include "world.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), after H. Hinnant's algorithm. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

void br__time_format(br_time t, char out[21])
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400;
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) y = y < 0 ? 0 : 9999;
    /* "YYYY-MM-DDTHH:MM:SSZ" by hand: every answer carries a few times, and snprintf was
     * most of what formatting one cost */
    unsigned v[6] = {(unsigned)y,
                     m % 13,
                     d % 32,
                     (unsigned)(secs / 3600) % 24,
                     (unsigned)(secs / 60 % 60),
                     (unsigned)(secs % 60)};
    out[0] = (char)('0' + v[0] / 1000);
    out[1] = (char)('0' + v[0] / 100 % 10);
    out[2] = (char)('0' + v[0] / 10 % 10);
    out[3] = (char)('0' + v[0] % 10);
    static const char sep[] = "--T::Z";
    for (int i = 1; i < 6; i++) {
        out[3 * i + 1] = sep[i - 1];
        out[3 * i + 2] = (char)('0' + v[i] / 10);
        out[3 * i + 3] = (char)('0' + v[i] % 10);
    }
    out[19] = 'Z';
    out[20] = '\0';
}

json_t *br__time_json(br_time t)
{
    char buf[21];
    br__time_format(t, buf);
    return json_stringn_nocheck(buf, 20); /* digits and separators only */
}

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

int br__time_parse(const char *s, br_time *out)
{
    int y, mo, d, h = 0, mi = 0, se = 0;
    if (!s || strlen(s) < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
        s[7] != '-' || !digits(s + 8, 2, &d))
        return BR_EINVAL;
    const char *p = s + 10;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        if (!digits(p + 1, 2, &h) || p[3] != ':' || !digits(p + 4, 2, &mi) || p[6] != ':' ||
            !digits(p + 7, 2, &se))
            return BR_EINVAL;
        p += 9;
        if (*p == '.') {
            p++;
            if (!isdigit((unsigned char)*p)) return BR_EINVAL;
            while (isdigit((unsigned char)*p))
                p++;
        }
    } else if (*p != '\0') {
        return BR_EINVAL;
    }
    int offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om)) return BR_EINVAL;
        offset = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
        p += 6;
    } else if (*p != '\0' || s[10] != '\0') {
        return BR_EINVAL; /* a time of day needs a zone */
    }
    if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return BR_EINVAL;
    *out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se - offset;
    return BR_OK;
}

int br__duration_parse(const char *s, br_time *out)
{
    if (!s || !isdigit((unsigned char)*s)) return BR_EINVAL;
    char *end;
    long long v = strtoll(s, &end, 10);
    long long mul = 1;
    if (*end == 's')
        end++;
    else if (*end == 'm')
        mul = 60, end++;
    else if (*end == 'h')
        mul = 3600, end++;
    else if (*end == 'd')
        mul = 86400, end++;
    if (*end != '\0' || v < 0 || v > 100LL * 365 * 86400 / mul) return BR_EINVAL;
    *out = v * mul;
    return BR_OK;
}
