/* error.h - status codes shared by every engine module. */
#ifndef PL_ENGINE_ERROR_H
#define PL_ENGINE_ERROR_H

/*
 * Every engine function that can fail returns an int: PL_OK (0) on
 * success, a negative PL_E* code on failure.  The message that explains a
 * failure is kept on the handle the function was given (for example
 * pl_store_errmsg()); pl_strerror() gives the generic text of a code.
 * New codes may be added; treat unknown negative values as PL_ERROR.
 */
enum {
	PL_OK = 0,
	PL_ERROR = -1,		/* anything not listed below */
	PL_ENOTFOUND = -2,	/* no such run, experiment, key, file, store */
	PL_EEXISTS = -3,	/* it is already there */
	PL_EAMBIGUOUS = -4,	/* an id prefix matches several runs */
	PL_EBUSY = -5,		/* the store stayed locked past the timeout */
	PL_EINVAL = -6,		/* bad argument or bad input text */
	PL_ENOMEM = -7,		/* out of memory */
	PL_EVERSION = -8,	/* store made by a newer plumb */
	PL_ECORRUPT = -9,	/* not a plumb store, or damaged */
	PL_EIO = -10,		/* an operating-system I/O error */
	PL_EREADONLY = -11,	/* the store cannot be written */
	PL_EFULL = -12,		/* disk or quota full */
	PL_ITEROVER = -30	/* not an error: an iteration is finished */
};

/* Static text for a status code; never NULL. */
const char *pl_strerror(int code);

#endif
