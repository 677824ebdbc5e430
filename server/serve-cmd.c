/* serve-cmd.c - `plumb serve`'s command line: options, --help, the store, then server_main (the HTTP(S) server: MLflow tracking API, Prometheus query API, alerts and rules, /metrics, health). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve-main.h"
#include "server.h"

int
serve_cmd(const struct serve_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "token-file", required_argument, NULL, 't' },
		{ "cert", required_argument, NULL, 'C' },
		{ "key", required_argument, NULL, 'K' },
		{ "threads", required_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct server_opts o = { .log = stderr, .port = -1 };
	pl_store *st = NULL;
	char *end;
	long v;
	int c, rc;

	while ((c = getopt_long(argc, argv, "H:p:t:C:K:j:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			o.host = optarg;
			break;
		case 'p':
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end || v < 0 || v > 65535)
				return cli->usage("serve", "--port: '%s' is not "
				    "a port number (0-65535)", optarg);
			o.port = (int)v;
			break;
		case 't':
			o.token_file = optarg;
			break;
		case 'C':
			o.cert_file = optarg;
			break;
		case 'K':
			o.key_file = optarg;
			break;
		case 'j':
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end || v < 1 || v > 256)
				return cli->usage("serve", "--threads: '%s' is "
				    "not a count from 1 to 256", optarg);
			o.threads = (int)v;
			break;
		case 'v':
			o.verbose = 1;
			break;
		case 'h':
			fputs(serve_help, stdout);
			return 0;
		default:
			return cli->usage("serve", "unknown option");
		}
	}
	if (!o.cert_file != !o.key_file)
		return cli->usage("serve", "--cert and --key go together");
	if (optind < argc)
		return cli->usage("serve", "unexpected argument '%s'",
		    argv[optind]);
	if ((rc = cli->open_store(&st, 0)) != 0)
		return rc;
	rc = server_main(st, &o);
	pl_store_close(st);
	return rc;
}

const char serve_summary[] =
    "serve the store over HTTP (MLflow tracking API, Prometheus "
    "query API, /metrics)";

const char serve_help[] =
    "usage: plumb serve [--host ADDR] [--port N] [--token-file FILE]\n"
    "                   [--cert FILE --key FILE] [--threads N] [--verbose]\n"
    "\n"
    "Serves the store over HTTP/1.1 until SIGINT or SIGTERM:\n"
    "  /api/2.0/mlflow/...        MLflow's tracking API (experiments,\n"
    "                             runs, metrics): MLFLOW_TRACKING_URI=\n"
    "                             http://127.0.0.1:5000 logs into plumb\n"
    "  /api/v1/query, /api/v1/query_range, /api/v1/series,\n"
    "  /api/v1/labels, /api/v1/label/NAME/values,\n"
    "  /api/v1/alerts, /api/v1/rules,\n"
    "  /api/v1/status/buildinfo   Prometheus' HTTP API (read side) over\n"
    "                             the series of plumb watch: add plumb as\n"
    "                             a Prometheus data source in Grafana,\n"
    "                             or use promtool query against it\n"
    "  /metrics                   plumb's own state for Prometheus to scrape\n"
    "  /health, /-/healthy, /-/ready   for load balancers (no token)\n"
    "\n"
    "  --host ADDR        address to bind (default 127.0.0.1); any\n"
    "                     address but loopback needs --token-file\n"
    "  --port N           port (default 5000; 0 picks a free one)\n"
    "  --token-file FILE  lines TOKEN USER [ro|rw] (a token of 16+\n"
    "                     characters; ro: reads only), or one bare\n"
    "                     token (user \"token\", rw); clients send\n"
    "                     Authorization: Bearer TOKEN (MLflow's\n"
    "                     MLFLOW_TRACKING_TOKEN) or basic auth\n"
    "                     USER:TOKEN; writes are audited as USER\n"
    "  --cert FILE        serve HTTPS with this PEM certificate (chain)\n"
    "  --key FILE         and its PEM private key\n"
    "  --threads N        server threads (default 4)\n"
    "  --verbose          one line per request on stderr\n"
    "See plumb-serve(1).\n";
