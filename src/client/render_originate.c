/* See render_originate.h. */
#include "client/render_originate.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "client/render.h"

/* A string member, or "-" for a null one where null is allowed. */
static bool field_str(json_t *o, const char *key, bool nullable, char *buf, size_t size,
		      char *err, size_t err_size, const char *what)
{
	if (nullable && json_is_null(json_object_get(o, key))) {
		snprintf(buf, size, "-");
		return true;
	}
	return render_field_str(o, key, buf, size, err, err_size, what);
}

static void age(time_t now, long long since, char *buf, size_t size)
{
	long long d = (long long)now - since;
	render_duration(d < 0 ? 0 : d, buf, size);
}

int render_originate(FILE *out, json_t *ans, time_t now, char *err, size_t err_size)
{
	json_t *orig = json_object_get(ans, "originate");
	json_t *conds = json_object_get(ans, "conditions");
	if (!json_is_array(orig) || !json_is_array(conds)) {
		snprintf(err, err_size, "\"originate\" or \"conditions\" is missing or not an array");
		return -EBADMSG;
	}
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (!m) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	bool ok = true;
	fprintf(m, "%-20s %-5s %-8s %-12s %-12s %s\n", "Prefix", "State", "For", "Condition",
		"Policy", "Why");
	size_t i;
	json_t *o;
	json_array_foreach(orig, i, o) {
		char pfx[64], state[8], cond[80], pol[80], why[256], for_[32];
		long long since = 0;
		ok = json_is_object(o) &&
		     field_str(o, "prefix", false, pfx, sizeof(pfx), err, err_size, "originate") &&
		     field_str(o, "state", false, state, sizeof(state), err, err_size, "originate") &&
		     field_str(o, "condition", true, cond, sizeof(cond), err, err_size, "originate") &&
		     field_str(o, "policy", true, pol, sizeof(pol), err, err_size, "originate") &&
		     field_str(o, "reason", false, why, sizeof(why), err, err_size, "originate") &&
		     render_field_int(o, "since", &since, err, err_size, "originate");
		if (!ok)
			break;
		age(now, since, for_, sizeof(for_));
		fprintf(m, "%-20s %-5s %-8s %-12s %-12s %s\n", pfx, state, for_, cond, pol, why);
	}
	if (ok && json_array_size(conds)) {
		fprintf(m, "\n%-20s %-5s %-8s %-8s %s\n", "Condition", "State", "For", "By",
			"Reason");
		json_array_foreach(conds, i, o) {
			char name[80], state[8], by[16], why[256], for_[32];
			long long since = 0;
			ok = json_is_object(o) &&
			     field_str(o, "name", false, name, sizeof(name), err, err_size,
				       "condition") &&
			     field_str(o, "state", false, state, sizeof(state), err, err_size,
				       "condition") &&
			     field_str(o, "driven_by", false, by, sizeof(by), err, err_size,
				       "condition") &&
			     field_str(o, "reason", false, why, sizeof(why), err, err_size,
				       "condition") &&
			     render_field_int(o, "since", &since, err, err_size, "condition");
			if (!ok)
				break;
			age(now, since, for_, sizeof(for_));
			fprintf(m, "%-20s %-5s %-8s %-8s %s\n", name, state, for_, by, why);
		}
	}
	if (fclose(m) != 0)
		ok = false;
	if (ok)
		fputs(text, out);
	free(text);
	if (!ok && !err[0])
		snprintf(err, err_size, "malformed entry");
	return ok ? 0 : -EBADMSG;
}

int render_condition(FILE *out, json_t *ans, char *err, size_t err_size)
{
	char name[80], state[8];
	json_t *ch = json_object_get(ans, "changed");
	if (!field_str(ans, "condition", false, name, sizeof(name), err, err_size, "answer") ||
	    !field_str(ans, "state", false, state, sizeof(state), err, err_size, "answer"))
		return -EBADMSG;
	if (!json_is_boolean(ch)) {
		snprintf(err, err_size, "answer: \"changed\" is missing or not a boolean");
		return -EBADMSG;
	}
	fprintf(out, "condition %s %s%s\n", name, state,
		json_is_true(ch) ? "" : " (it already was)");
	return 0;
}
