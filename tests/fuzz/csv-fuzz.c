/* csv-fuzz.c - libFuzzer harness for the CSV reader and the number parser (see tests/fuzz/README). */
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data/csvread.h"
#include "drift/drift.h"
#include "store/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The first byte picks options (delimiter, keep_missing, a text column);
 * the rest is the file.  Every successful read is walked through its
 * accessors and compared with itself by the drift code, so the values the
 * reader hands out are exercised too.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char delims[4] = { ',', ';', '\t', '|' };
	struct pl_csv_opts o;
	pl_csv_table *t = NULL, *t2 = NULL;
	char err[256];
	const char *tc[1] = { "a" };

	if (size == 0)
		return 0;
	memset(&o, 0, sizeof o);
	o.delimiter = delims[data[0] & 3];
	o.keep_missing = (data[0] >> 2) & 1;
	if ((data[0] >> 3) & 1) {
		o.text_columns = tc;
		o.n_text_columns = 1;
	}
	data++;
	size--;

	/* the number parser on the whole input must agree with strtod */
	if (size < 64) {
		double v;
		char buf[65];
		memcpy(buf, data, size);
		buf[size] = '\0';
		if (strlen(buf) == size && pl_csv_parse_double(buf, size, &v) &&
		    !isinf(v)) {
			double w = strtod(buf, NULL);
			if (memcmp(&v, &w, sizeof v) != 0 && !(v == 0 && w == 0))
				abort();
		}
	}

	if (pl_csv_read_mem(&t, "fuzz", data, size, &o, err, sizeof err) != PL_OK) {
		if (t != NULL || err[0] == '\0')
			abort();	/* failure must clear *out and explain */
		return 0;
	}
	for (size_t i = 0; i < pl_csv_ncols(t); i++) {
		size_t n = pl_csv_count(t, i);
		if (pl_csv_storage(t, i) == PL_CSV_NUM) {
			const double *v = pl_csv_num(t, i);
			for (size_t k = 0; k < n && v; k++)
				if (isinf(v[k]))
					abort();
		} else {
			const uint32_t *c = pl_csv_codes(t, i);
			for (size_t k = 0; k < n; k++)
				if (c[k] >= pl_csv_nlevels(t, i))
					abort();
			for (size_t k = 0; k < pl_csv_nlevels(t, i); k++) {
				size_t len;
				pl_csv_level(t, i, k, &len);
			}
		}
	}
	if (!o.keep_missing &&
	    pl_csv_read_mem(&t2, "fuzz", data, size, &o, err, sizeof err) == PL_OK) {
		pl_drift_report *r = NULL;
		struct pl_drift_opts d;
		memset(&d, 0, sizeof d);
		d.threshold = NAN;
		d.threads = 1;
		if (pl_drift_compare(&r, t, t2, &d, err, sizeof err) == PL_OK) {
			/* a table against itself never drifts on a p-value test */
			for (size_t i = 0; i < pl_drift_ncolumns(r); i++) {
				const struct pl_drift_column *c = pl_drift_column(r, i);
				if (!c->skipped && c->method == PL_DRIFT_KS && c->drift)
					abort();
			}
		}
		pl_drift_report_free(r);
	}
	pl_csv_free(t2);
	pl_csv_free(t);
	return 0;
}
