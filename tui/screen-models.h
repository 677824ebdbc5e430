/* screen-models.h - what the models screen's files share: its state, the detail pane helpers, promote/rollback. */
#ifndef PL_TUI_SCREEN_MODELS_H
#define PL_TUI_SCREEN_MODELS_H

#include <sys/types.h>

#include "tui.h"
#include "dialog.h"
#include "table.h"
#include "textview.h"

#define NMETRIC_COLS 3

enum mpane { MP_MODELS, MP_VERSIONS, MP_DETAIL, MP__COUNT };
enum mdetail { MD_NONE, MD_LINEAGE, MD_HISTORY, MD_CHILD, MD_GATES };
enum mdialog { DLG_NONE, DLG_PROMOTE, DLG_ROLLBACK };

struct models_scr {
	struct screen base;
	pl_model_summary *models;
	size_t nmodels;
	char **maliases;		/* per model: "champion=v2, ..." */
	char *cur;			/* the selected model's name */
	pl_model_version **vers;	/* newest first */
	size_t nvers;
	char *mkeys[NMETRIC_COLS];	/* metric columns */
	int nmkeys;
	pl_config *cfg;
	char *cfg_path;
	struct wtable *mt, *vt;
	struct wtext *detail;
	enum mpane focus;
	enum mdetail dmode;
	int dversion;			/* version the detail is about */
	char dtitle[192];
	int split;			/* rows of the models box */
	int lw;				/* width of the versions box */
	bool narrow;			/* versions and detail share a box */
	/* promote: stage picker, then the dialog */
	int picking;			/* version being promoted, 0: none */
	struct wdialog *dlg;
	enum mdialog dkind;
	int dlg_version;
	pl_model_stage dlg_stage;
	/* the promote/rollback asked for, while its reason is typed */
	enum mdialog pend_kind;
	int pend_version;
	pl_model_stage pend_stage;
	/* the child running promote/rollback, and its job in the store */
	pid_t child;
	int fd;
	char what[160];
	char tail[256];			/* the child's last output line */
	int64_t launch_ms;
	int64_t job_id, job_seq;	/* the job followed, its last event */
	bool job_running, job_done;
};

/* ---- screen-models.c ---- */

/* Re-reads plumb.yaml (none is fine; a bad one goes to the status line). */
void mdl_load_config(struct models_scr *m);
/* Re-reads the models and the selected model's versions. */
void mdl_load_models(struct models_scr *m);
const pl_model_version *mdl_version_of(const struct models_scr *m,
    int version);
const pl_model_version *mdl_selected_version(struct models_scr *m);
/* Appends a line to the detail pane (sanitized by the text view). */
void mdl_line(struct models_scr *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Clears the detail pane for mode and titles it. */
void mdl_set_detail(struct models_scr *m, enum mdetail mode, int version,
    const char *title);

/* ---- screen-model-promote.c ---- */

/* The stage picker of P: paint it; a key while it is open. */
void mdl_draw_picker(struct models_scr *m);
int mdl_picker_key(struct models_scr *m, int key);
/* The confirm dialog: a key while it is open; what a click answered. */
int mdl_dialog_key(struct models_scr *m, int key);
void mdl_dialog_yes(struct models_scr *m);
void mdl_close_dialog(struct models_scr *m);
/* B: asks to roll back the stage the selected version holds. */
void mdl_rollback_ask(struct models_scr *m);
/* The promote/rollback child: its fd, its output, waiting for it. */
int mdl_child_fd(struct screen *s);
void mdl_child_ready(struct screen *s);
void mdl_reap_child(struct models_scr *m);
/* Follows the newest promote/rollback job of the selected model (ours,
 * or one running from elsewhere) into the detail pane. */
void mdl_watch_job(struct models_scr *m);
void mdl_close_child(struct models_scr *m);

#endif
