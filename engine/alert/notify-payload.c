/* notify-payload.c - the bodies the notifier sends: Alertmanager's webhook (version 4) and its API v2 alert list. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "alert/notify-int.h"
#include "alert/promql.h"
#include "store/error.h"

static void
json_labels(struct json *j, const pq_labels *lb)
{
	json_obj_begin(j);
	for (unsigned i = 0; i < lb->n; i++) {
		json_key(j, lb->l[i].name);
		json_str(j, lb->l[i].value);
	}
	json_obj_end(j);
}

/* The pairs every set has. */
static pq_labels *
common(struct nalert *const *al, size_t n, int ann)
{
	pq_label l[256];
	size_t k = 0;
	const pq_labels *first;

	if (n == 0)
		return pq_labels_new(NULL, 0);
	first = ann ? al[0]->ann : al[0]->lb;
	for (unsigned i = 0; i < first->n && k < 256; i++) {
		size_t a;
		for (a = 1; a < n; a++) {
			const char *v = pq_labels_get(ann ? al[a]->ann :
			    al[a]->lb, first->l[i].name);
			if (!v || strcmp(v, first->l[i].value))
				break;
		}
		if (a == n)
			l[k++] = first->l[i];
	}
	return pq_labels_new(l, k);
}

/*
 * Prometheus' generatorURL: the external URL (trailing slashes dropped,
 * as Prometheus' computeExternalURL does) then
 * strutil.TableLinkForExpression: /graph?g0.expr=EXPR&g0.tab=1, EXPR
 * escaped as Go's url.QueryEscape.  Without external_url: the path
 * alone.  "" when the rule's expression is unknown.
 */
static void
generator_url(struct buf *b, const char *ext, const char *expr)
{
	size_t el = ext ? strlen(ext) : 0;

	if (expr == NULL || !*expr)
		return;
	while (el && ext[el - 1] == '/')
		el--;
	buf_printf(b, "%.*s/graph?g0.expr=", (int)el, el ? ext : "");
	for (const unsigned char *p = (const unsigned char *)expr; *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-_.~", *p))
			buf_putc(b, (char)*p);
		else if (*p == ' ')
			buf_putc(b, '+');
		else
			buf_printf(b, "%%%02X", *p);
	buf_puts(b, "&g0.tab=1");
}

/* regexp.QuoteMeta, as Alertmanager escapes the receiver's name. */
static void
quote_meta(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (strchr("\\.+*?()|[]{}^$", *s))
			buf_putc(b, '\\');
		buf_putc(b, *s);
	}
}

/* What both bodies say of an alert first: labels, annotations, start. */
static void
alert_head(struct json *j, const struct nalert *a)
{
	char t[48];

	json_key(j, "labels");
	json_labels(j, a->lb);
	json_key(j, "annotations");
	json_labels(j, a->ann);
	json_key(j, "startsAt");
	pl__n_rfc3339(t, sizeof t, a->starts);
	json_str(j, t);
}

/* Alertmanager's webhook message, version 4 (notify/webhook/webhook.go,
 * template/template.go Data). */
int
pl__n_webhook_body(struct buf *out, const char *external_url,
    const struct ngroup *g, const struct nrecv *r, struct nalert *const *al,
    size_t na, int firing)
{
	struct json j;
	struct buf rn = BUF_INIT;
	pq_labels *cl = common(al, na, 0), *ca = common(al, na, 1);
	size_t send = r->max_alerts > 0 && (size_t)r->max_alerts < na ?
	    (size_t)r->max_alerts : na;
	char t[48];
	int rc;

	quote_meta(&rn, r->name);
	json_init(&j, out);
	json_obj_begin(&j);
	json_key(&j, "receiver");
	json_str(&j, rn.p ? rn.p : "");
	json_key(&j, "status");
	json_str(&j, firing ? "firing" : "resolved");
	json_key(&j, "alerts");
	json_arr_begin(&j);
	for (size_t i = 0; i < send; i++) {
		const struct nalert *a = al[i];
		char fp[17];

		json_obj_begin(&j);
		json_key(&j, "status");
		json_str(&j, a->ends ? "resolved" : "firing");
		alert_head(&j, a);
		json_key(&j, "endsAt");
		if (a->ends)
			pl__n_rfc3339(t, sizeof t, a->ends);
		else
			snprintf(t, sizeof t, "0001-01-01T00:00:00Z");
		json_str(&j, t);
		json_key(&j, "generatorURL");
		{
			struct buf gu = BUF_INIT;

			generator_url(&gu, external_url, a->expr);
			json_str(&j, gu.p ? gu.p : "");
			buf_free(&gu);
		}
		json_key(&j, "fingerprint");
		snprintf(fp, sizeof fp, "%016" PRIx64, a->fp);
		json_str(&j, fp);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_key(&j, "groupLabels");
	json_labels(&j, g->glabels);
	json_key(&j, "commonLabels");
	json_labels(&j, cl ? cl : g->glabels);
	json_key(&j, "commonAnnotations");
	if (ca)
		json_labels(&j, ca);
	else {
		json_obj_begin(&j);
		json_obj_end(&j);
	}
	json_key(&j, "externalURL");
	json_str(&j, external_url ? external_url : "");
	json_key(&j, "version");
	json_str(&j, "4");
	json_key(&j, "groupKey");
	json_str(&j, g->key);
	json_key(&j, "truncatedAlerts");
	json_int(&j, (int64_t)(na - send));
	json_obj_end(&j);
	rc = json_error(&j) || !cl || !ca ? PL_ENOMEM : PL_OK;
	pq_labels_unref(cl);
	pq_labels_unref(ca);
	buf_free(&rn);
	return rc;
}

/* Alertmanager's API v2 postable alerts (api/v2/openapi.yaml). */
int
pl__n_am_body(struct buf *out, const char *external_url,
    struct nalert *const *al, size_t na, int64_t now)
{
	struct json j;
	char t[48];

	json_init(&j, out);
	json_arr_begin(&j);
	for (size_t i = 0; i < na; i++) {
		const struct nalert *a = al[i];
		json_obj_begin(&j);
		alert_head(&j, a);
		json_key(&j, "endsAt");
		/* Prometheus: firing ones end in 4 resend delays unless
		 * sent again */
		pl__n_rfc3339(t, sizeof t, a->ends ? a->ends : now + 4 *
		    NTF_RESEND_MS);
		json_str(&j, t);
		json_key(&j, "generatorURL");
		{
			struct buf gu = BUF_INIT;

			generator_url(&gu, external_url, a->expr);
			json_str(&j, gu.p ? gu.p : "");
			buf_free(&gu);
		}
		json_obj_end(&j);
	}
	json_arr_end(&j);
	return json_error(&j) ? PL_ENOMEM : PL_OK;
}

