/* screen-pipeline.c - the pipeline screen (stage DAG, repro launch and its log). */
#include "config.h"
#include "tui.h"

struct screen *
pipeline_screen_new(struct app *a)
{
	app_error(a, "the pipeline screen is not available in this build");
	return NULL;
}
