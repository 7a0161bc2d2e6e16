/* Argument values and keyword suggestions. */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "conf/parse.h"

/* Parses up to the first non-digit; returns chars used, 0 if none, or
 * -ERANGE past 32 bits (the digits are still counted off). */
static int value_digits(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	bool over = false;
	int i = 0;
	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > UINT32_MAX) {
			over = true;
			v = UINT32_MAX + 1ull;
		}
		if (i > 64)
			return -EINVAL; /* silly but harmless: just not a number */
	}
	*out = v;
	if (over)
		return -ERANGE;
	return i;
}

int conf_value_uint(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	uint64_t v;
	int n = value_digits(s, &v);
	if (n == -ERANGE) {
		size_t len = strspn(s, "0123456789");
		if (s[len])
			return -EINVAL;
		*out = UINT32_MAX;
		return -ERANGE;
	}
	if (n <= 0 || s[n])
		return -EINVAL;
	*out = (uint32_t)v;
	if (v < lo || v > hi)
		return -ERANGE;
	return 0;
}

int conf_value_asn(const char *s, uint32_t *out)
{
	const char *dot = strchr(s, '.');
	if (!dot) {
		int r = conf_value_uint(s, 1, UINT32_MAX, out);
		return r;
	}
	/* RFC 5396 asdot: "high.low", each half 0..65535. */
	uint64_t hi, lo;
	int n = value_digits(s, &hi);
	if (n <= 0 || s[n] != '.')
		return -EINVAL;
	int m = value_digits(dot + 1, &lo);
	if (m <= 0 || dot[1 + m])
		return -EINVAL;
	if (hi > 65535 || lo > 65535)
		return -EDOM;
	*out = (uint32_t)(hi << 16 | lo);
	if (*out == 0)
		return -ERANGE;
	return 0;
}

/* Optimal string alignment distance (Levenshtein plus adjacent swaps),
 * ignoring case: "holdtime", "Hold-Time" and "hodl-time" all find
 * "hold-time".  Words longer than the buffer are never close. */
#define SUGGEST_MAX 32

static unsigned suggest_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > SUGGEST_MAX || lb > SUGGEST_MAX)
		return UINT32_MAX;
	unsigned d[SUGGEST_MAX + 1][SUGGEST_MAX + 1];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			unsigned cost = tolower((unsigned char)a[i - 1]) !=
					tolower((unsigned char)b[j - 1]);
			unsigned v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 &&
			    tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1]) &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

const char *conf_suggest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	unsigned best_d = UINT32_MAX;
	for (size_t i = 0; i < n; i++) {
		unsigned d = suggest_distance(word, cands[i]);
		if (d < best_d) {
			best_d = d;
			best = cands[i];
		}
	}
	/* Close means a typo or two, never most of the word. */
	size_t len = strlen(word);
	if (!best || best_d > 2 || best_d * 3 > len + 1)
		return NULL;
	return best;
}
