/* Multipath selection: see rib/multipath.h. */
#include "rib/multipath.h"

bool rib_multipath_equal(const struct rib_comparator *c, const struct rib_decision_opts *o,
			 const struct rib_path *best, const struct rib_path *p, bool relax)
{
	if (!rib_path_eligible(p))
		return false;
	if (c->multipath_ok)
		return c->multipath_ok(o, best, p);
	enum rib_decision_step step;
	if (c->compare(o, best, p, &step) != 0 && step <= c->multipath_through)
		return false;
	return relax || rib_path_neighbor_as(best) == rib_path_neighbor_as(p);
}

size_t rib_multipath_select(const struct rib_comparator *c, const struct rib_decision_opts *o,
			    const struct rib_path *const *paths, size_t n, size_t best,
			    size_t max, bool relax, const struct rib_path **out)
{
	if (max == 0 || best >= n || !rib_path_eligible(paths[best]))
		return 0;
	size_t k = 0;
	out[k++] = paths[best];
	for (size_t i = 0; i < n && k < max; i++)
		if (i != best && rib_multipath_equal(c, o, paths[best], paths[i], relax))
			out[k++] = paths[i];
	return k;
}
