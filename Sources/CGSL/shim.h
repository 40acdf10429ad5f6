#ifndef APMRISK_CGSL_SHIM_H
#define APMRISK_CGSL_SHIM_H
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_fft_complex.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_integration.h>

/* Only what Swift cannot call directly lives here. */

/* A C global variable is shared mutable state to Swift 6; this constant pointer is not. */
static inline const gsl_integration_fixed_type *apmrisk_fixed_hermite(void) { return gsl_integration_fixed_hermite; }
#endif
