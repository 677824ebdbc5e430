/* names.c - model names and model stages: the words plumb.yaml and the registry share. */
#include "config.h"
#include "config/names.h"

#include <ctype.h>
#include <stddef.h>
#include <strings.h>

#include "store/error.h"

static const char *const stage_names[] = {
	"none", "staging", "production", "archived"
};

const char *
pl_model_stage_name(pl_model_stage s)
{
	if ((int)s < 0 || (int)s > PL_MODEL_ARCHIVED)
		return "?";
	return stage_names[s];
}

int
pl_model_stage_parse(pl_model_stage *out, const char *name)
{
	*out = PL_MODEL_NONE;
	for (int i = 0; name && i <= PL_MODEL_ARCHIVED; i++)
		if (strcasecmp(name, stage_names[i]) == 0) {
			*out = (pl_model_stage)i;
			return PL_OK;
		}
	return PL_EINVAL;
}

int
pl_model_name_valid(const char *name)
{
	size_t n;

	if (name == NULL || !isalnum((unsigned char)name[0]))
		return 0;
	for (n = 0; name[n]; n++)
		if (!isalnum((unsigned char)name[n]) && name[n] != '.' &&
		    name[n] != '_' && name[n] != '-')
			return 0;
	return n <= 100;
}
