// Dense float64 helpers shared by the statistics, Fréchet and KID code: thin wrappers over
// OpenBLAS/LAPACKE (row-major). Private to the metrics module.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "qtune/base/result.h"
#include "qtune/metrics/feature_stats.h"

namespace qtune::metrics {

// BLAS/LAPACK take int sizes; feature matrices are far below 2^31 entries per side.
int blas_int(std::size_t n);

// Mean of each column of `features` (dims values).
std::vector<double> column_means(const Features& features);
// features - mu, row by row (count x dims, row-major).
std::vector<double> centre_rows(const Features& features, const std::vector<double>& mu);

// The count - 1 rows Q^T X of the count x dims row-major `centred` rows X, with Q the
// Helmert basis of the vectors orthogonal to (1, ..., 1): row k is
// (x_0 + ... + x_{k-1} - k x_k) / sqrt(k (k + 1)). Since X's rows sum to 0, Q^T X has the
// same Gram matrix X^T X but no exactly-zero direction in X X^T: the zero eigenvalue that
// centring creates would otherwise come back as sqrt(round-off) in tr sqrt(S1 S2).
std::vector<double> helmert_rows(const std::vector<double>& centred, std::size_t count,
                                 std::size_t dims);

// Eigenvalues of the symmetric n x n row-major matrix `a` (only its upper triangle is
// read), ascending; LAPACKE_dsyevd. With `vectors`, `a` is overwritten by the eigenvectors
// (column k of the row-major result belongs to eigenvalue k), otherwise destroyed.
base::Result<std::vector<double>> symmetric_eigen(std::vector<double>& a, std::size_t n,
                                                  bool vectors, std::string_view where);

// Singular values of the rows x cols row-major matrix `a` (destroyed); LAPACKE_dgesdd.
base::Result<std::vector<double>> singular_values(std::vector<double>& a, std::size_t rows,
                                                  std::size_t cols, std::string_view where);

// sum_k sqrt(max(lambda_k, 0)): the trace of the square root of a PSD matrix from its
// eigenvalues; negative eigenvalues are round-off of zero ones and count as 0.
double sum_sqrt_clamped(const std::vector<double>& eigenvalues);

// sum of squares of all entries.
double squared_norm(const std::vector<double>& values);

}  // namespace qtune::metrics
