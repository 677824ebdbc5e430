/* requests.h - every user request of the TUI, with its help text (one X-macro list: enum, names, help). */
#ifndef PL_TUI_REQUESTS_H
#define PL_TUI_REQUESTS_H

/*
 * A key is first turned into a request through the keymap (keymap.c),
 * then the current screen gets the request, then the app (generic ones).
 * REQ_GROUP rows only title the help overlay.  (tig's request.h.)
 */
#define REQ_INFO(REQ_GROUP, REQ_) \
	REQ_GROUP("Moving") \
	REQ_(MOVE_UP,		"move up one line") \
	REQ_(MOVE_DOWN,		"move down one line") \
	REQ_(MOVE_PAGE_UP,	"move up one page") \
	REQ_(MOVE_PAGE_DOWN,	"move down one page") \
	REQ_(MOVE_HALF_UP,	"move up half a page") \
	REQ_(MOVE_HALF_DOWN,	"move down half a page") \
	REQ_(MOVE_FIRST,	"go to the first line") \
	REQ_(MOVE_LAST,		"go to the last line") \
	REQ_(SCROLL_LEFT,	"scroll columns left") \
	REQ_(SCROLL_RIGHT,	"scroll columns right") \
	REQ_(NEXT_PANE,		"focus the next pane") \
	REQ_(PREV_PANE,		"focus the previous pane") \
	REQ_GROUP("Views") \
	REQ_(ENTER,		"open the selected item") \
	REQ_(BACK,		"go back / close") \
	REQ_(VIEW_RUNS,		"show the runs list") \
	REQ_(VIEW_COMPARE,	"compare the marked runs (or cursor + next)") \
	REQ_(VIEW_PIPELINE,	"show the pipeline") \
	REQ_(VIEW_MODELS,	"show the model registry") \
	REQ_(VIEW_MONITOR,	"show the monitor: targets, charts, alerts") \
	REQ_(HELP,		"show this help") \
	REQ_(COMMAND,		"command mode (:runs :run ID :compare :pipeline :models :monitor :q)") \
	REQ_GROUP("Runs") \
	REQ_(FILTER,		"filter runs (MLflow search syntax)") \
	REQ_(FIND,		"search as you type (run name or id; the log)") \
	REQ_(FIND_NEXT,		"next match") \
	REQ_(FIND_PREV,		"previous match") \
	REQ_(SELECT,		"mark / unmark the run for compare") \
	REQ_(CLEAR_MARKS,	"clear all marks") \
	REQ_(SORT_NEXT,		"sort by the next column") \
	REQ_(SORT_PREV,		"sort by the previous column") \
	REQ_(SORT_REVERSE,	"reverse the sort order") \
	REQ_(EXPERIMENT,	"cycle the experiment shown") \
	REQ_(EXPORT,		"export the listed runs and columns (CSV or JSON)") \
	REQ_(YANK,		"copy the run id / model ref to the clipboard (OSC 52)") \
	REQ_GROUP("Run and compare") \
	REQ_(CHART_X,		"chart x axis: step / time") \
	REQ_(LOG_SCALE,		"chart y axis: linear / log") \
	REQ_(VIEW_CHART,	"bottom pane: chart") \
	REQ_(VIEW_STDOUT,	"bottom pane: stdout log") \
	REQ_(VIEW_STDERR,	"bottom pane: stderr log") \
	REQ_(VIEW_ARTIFACTS,	"bottom pane: artifacts") \
	REQ_(WRAP,		"log: wrap long lines") \
	REQ_(FOLLOW,		"log: follow the end; monitor: freeze / follow now") \
	REQ_(DIFF_ONLY,		"compare: only rows that differ") \
	REQ_(VIEW_PAGER,	"open the selected artifact (or log) in $PAGER") \
	REQ_(JUMP_MODEL,	"the model versions this run produced") \
	REQ_GROUP("Pipeline") \
	REQ_(REPRO_ALL,		"run plumb repro for the whole pipeline") \
	REQ_(REPRO_STAGE,	"run plumb repro for the selected stage") \
	REQ_(REPRO_FORCE,	"run plumb repro --force for the selected stage") \
	REQ_(CANCEL,		"cancel the running repro (SIGINT)") \
	REQ_GROUP("Models") \
	REQ_(MODEL_DIFF,	"diff the two marked versions side by side") \
	REQ_(MODEL_PROMOTE,	"promote the selected version (gates, then confirm)") \
	REQ_(MODEL_ROLLBACK,	"roll back the stage the version holds (confirm)") \
	REQ_(MODEL_HISTORY,	"show the model's history of transitions") \
	REQ_(JUMP_RUN,		"open the run that produced the version") \
	REQ_GROUP("Monitor") \
	REQ_(ZOOM_IN,		"charts: a shorter window (15m 1h 6h 1d 7d 30d)") \
	REQ_(ZOOM_OUT,		"charts: a longer window") \
	REQ_(PAN_BACK,		"charts: half a window back in time (freezes)") \
	REQ_(PAN_FORWARD,	"charts: half a window forward") \
	REQ_(ALERT_ACK,		"acknowledge the alert under the cursor, with a comment") \
	REQ_(ALERT_SILENCE,	"silence the alert under the cursor for a duration, with a reason") \
	REQ_(MARK_PREV,		"charts: select the previous event mark (deploy, alert, ...)") \
	REQ_(MARK_NEXT,		"charts: select the next event mark; Enter opens what it names") \
	REQ_(CLOSE_PANE,	"drift heatmap: close the distributions (Enter opens them)") \
	REQ_(VIEW_DRIFT,	"the drift heatmap of the target under the cursor (features x time)") \
	REQ_GROUP("Other") \
	REQ_(RELOAD,		"reload the data now") \
	REQ_(REDRAW,		"redraw the screen") \
	REQ_(SUSPEND,		"suspend plumb (fg to resume)") \
	REQ_(QUIT,		"close the screen (quit from the last one)") \
	REQ_(QUIT_ALL,		"quit plumb from any screen")

#define REQ_GROUP_ENUM(g)
#define REQ_ENUM(name, help) REQ_##name,
enum request {
	REQ_NONE = 0,
	REQ_INFO(REQ_GROUP_ENUM, REQ_ENUM)
	REQ__COUNT
};
#undef REQ_GROUP_ENUM
#undef REQ_ENUM

/* "move-up", ... (static); NULL for REQ_NONE or out of range. */
const char *request_name(enum request r);
const char *request_help(enum request r);
/* Parses a request name ("move-up"); REQ_NONE if unknown. */
enum request request_parse(const char *name);

#endif
