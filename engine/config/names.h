/* names.h - model names and model stages: the words plumb.yaml and the registry share. */
#ifndef PL_ENGINE_CONFIG_NAMES_H
#define PL_ENGINE_CONFIG_NAMES_H

/*
 * plumb.yaml names models and stages (models:, checks: stages:, deploy:
 * stage:) and the registry stores them; both validate through these
 * helpers, so parsing a configuration needs nothing of the registry.
 */

/* The stage a model version is in (registry.h says what each means). */
typedef enum {
	PL_MODEL_NONE,
	PL_MODEL_STAGING,
	PL_MODEL_PRODUCTION,
	PL_MODEL_ARCHIVED
} pl_model_stage;

/* "none", "staging", "production", "archived" (static). */
const char *pl_model_stage_name(pl_model_stage s);
/* Parses a stage name (case-insensitive); PL_EINVAL when unknown. */
int pl_model_stage_parse(pl_model_stage *out, const char *name);

/* 1 if name is a valid model name: [A-Za-z0-9._-], 1-100 characters,
 * starting with a letter or digit. */
int pl_model_name_valid(const char *name);

#endif
