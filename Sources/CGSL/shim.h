#ifndef APMRISK_CGSL_SHIM_H
#define APMRISK_CGSL_SHIM_H
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_fft_complex.h>
#include <gsl/gsl_sf_gamma.h>

/* Only what Swift cannot call directly lives here. */
#endif
