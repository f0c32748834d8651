//! A compressed sparse row matrix: the only feature representation hashkdove uses.

use ndarray::Array2;
use rayon::prelude::*;

use crate::error::{Error, Result};

/// Rows of sparse features in CSR layout. Column indices within a row are strictly increasing.
///
/// Implements [`linfa::dataset::Records`], so a `linfa::DatasetBase<CsrMatrix, _>` can be fitted
/// with [`crate::LogisticParams`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CsrMatrix {
    indptr: Vec<usize>,
    indices: Vec<u32>,
    data: Vec<f32>,
    ncols: usize,
}

impl CsrMatrix {
    /// An empty matrix with `ncols` columns and no rows.
    pub fn empty(ncols: usize) -> Self {
        CsrMatrix {
            indptr: vec![0],
            indices: Vec::new(),
            data: Vec::new(),
            ncols,
        }
    }

    /// Build from raw CSR arrays, checking every invariant (lengths, monotone `indptr`,
    /// strictly increasing in-range column indices, finite values).
    pub fn try_new(indptr: Vec<usize>, indices: Vec<u32>, data: Vec<f32>, ncols: usize) -> Result<Self> {
        if indptr.first() != Some(&0) {
            return Err(Error::param("indptr", indptr.first(), "must start with 0"));
        }
        if indices.len() != data.len() {
            return Err(Error::LengthMismatch {
                left_name: "indices",
                left: indices.len(),
                right_name: "data",
                right: data.len(),
            });
        }
        if indptr.last() != Some(&indices.len()) {
            return Err(Error::param(
                "indptr",
                indptr.last(),
                format!("must end with nnz = {}", indices.len()),
            ));
        }
        for w in indptr.windows(2) {
            if w[0] > w[1] {
                return Err(Error::param("indptr", w, "must be non-decreasing"));
            }
            let row = &indices[w[0]..w[1]];
            if row.windows(2).any(|p| p[0] >= p[1]) {
                return Err(Error::param("indices", w, "must be strictly increasing within a row"));
            }
            if let Some(&last) = row.last() {
                if last as usize >= ncols {
                    return Err(Error::param(
                        "indices",
                        last,
                        format!("column out of range (ncols = {ncols})"),
                    ));
                }
            }
        }
        if let Some(v) = data.iter().find(|v| !v.is_finite()) {
            return Err(Error::param("data", v, "values must be finite"));
        }
        Ok(CsrMatrix {
            indptr,
            indices,
            data,
            ncols,
        })
    }

    /// Assemble from rows of `(column, value)` pairs already sorted by column.
    #[cfg(test)]
    pub(crate) fn from_sorted_rows(rows: Vec<Vec<(u32, f32)>>, ncols: usize) -> Self {
        let n = rows.len();
        let mut rows = rows.into_iter();
        Self::from_row_blocks(n, ncols, None, |v| v, |block| rows.by_ref().take(block.len()).collect())
    }

    /// Assemble `n_rows` rows of `(column, value)` pairs sorted by column, which `block`
    /// returns a range of rows at a time (`value` turns a stored value into `f32`). Only one
    /// block's row vectors live beside the growing matrix: holding every row and then the
    /// matrix was the peak of fitting IMDB. `nnz_bound`, an upper bound on the number of
    /// stored values, is reserved up front; the untouched part of a large reservation is
    /// address space rather than memory, so the arrays never move to grow, and it is handed
    /// back at the end.
    pub(crate) fn from_row_blocks<T: Copy>(
        n_rows: usize,
        ncols: usize,
        nnz_bound: Option<usize>,
        value: impl Fn(T) -> f32,
        mut block: impl FnMut(std::ops::Range<usize>) -> Vec<Vec<(u32, T)>>,
    ) -> Self {
        /// Rows per call of `block`.
        const BLOCK_ROWS: usize = 2048;
        let reserve = nnz_bound.unwrap_or(0);
        let mut m = CsrMatrix {
            indptr: Vec::with_capacity(n_rows + 1),
            indices: Vec::with_capacity(reserve),
            data: Vec::with_capacity(reserve),
            ncols,
        };
        m.indptr.push(0);
        let mut start = 0;
        while start < n_rows {
            let end = n_rows.min(start + BLOCK_ROWS);
            for row in block(start..end) {
                m.indices.extend(row.iter().map(|e| e.0));
                m.data.extend(row.iter().map(|e| value(e.1)));
                m.indptr.push(m.indices.len());
            }
            start = end;
        }
        m.indices.shrink_to_fit();
        m.data.shrink_to_fit();
        m
    }

    /// Call `f(columns, values)` on every row, rows in parallel (rayon).
    pub(crate) fn par_rows_mut(&mut self, f: impl Fn(&[u32], &mut [f32]) + Sync) {
        /// Rows per parallel task.
        const TASK_ROWS: usize = 256;
        let (indptr, indices) = (&self.indptr, &self.indices);
        let mut tasks = Vec::with_capacity(self.nrows().div_ceil(TASK_ROWS));
        let mut rest: &mut [f32] = &mut self.data;
        for first in (0..indptr.len().saturating_sub(1)).step_by(TASK_ROWS) {
            let last = (first + TASK_ROWS).min(indptr.len() - 1);
            let (head, tail) = std::mem::take(&mut rest).split_at_mut(indptr[last] - indptr[first]);
            tasks.push((first..last, head));
            rest = tail;
        }
        tasks.into_par_iter().for_each(|(rows, values)| {
            let base = indptr[rows.start];
            for r in rows {
                let (a, b) = (indptr[r], indptr[r + 1]);
                f(&indices[a..b], &mut values[a - base..b - base]);
            }
        });
    }

    /// Number of rows.
    pub fn nrows(&self) -> usize {
        self.indptr.len().saturating_sub(1)
    }

    /// Number of columns.
    pub fn ncols(&self) -> usize {
        self.ncols
    }

    /// Number of stored values.
    pub fn nnz(&self) -> usize {
        self.indices.len()
    }

    /// Row `i` as `(columns, values)`; empty slices when `i` is out of range.
    pub fn row(&self, i: usize) -> (&[u32], &[f32]) {
        match (self.indptr.get(i), self.indptr.get(i + 1)) {
            (Some(&a), Some(&b)) => (&self.indices[a..b], &self.data[a..b]),
            _ => (&[], &[]),
        }
    }

    /// The raw arrays `(indptr, indices, data)`.
    pub fn raw(&self) -> (&[usize], &[u32], &[f32]) {
        (&self.indptr, &self.indices, &self.data)
    }

    /// Take the matrix apart: `(indptr, indices, data, ncols)`.
    pub(crate) fn into_parts(self) -> (Vec<usize>, Vec<u32>, Vec<f32>, usize) {
        (self.indptr, self.indices, self.data, self.ncols)
    }

    /// Dot product of row `i` with a dense vector (missing entries count as zero).
    #[inline]
    pub fn row_dot(&self, i: usize, w: &[f64]) -> f64 {
        let (cols, vals) = self.row(i);
        cols.iter()
            .zip(vals)
            .map(|(&c, &v)| w.get(c as usize).map_or(0.0, |wc| wc * f64::from(v)))
            .sum()
    }

    /// A new matrix made of the given rows, in the given order.
    pub fn select_rows(&self, rows: &[usize]) -> CsrMatrix {
        let mut out = CsrMatrix::empty(self.ncols);
        for &r in rows {
            let (c, v) = self.row(r);
            out.indices.extend_from_slice(c);
            out.data.extend_from_slice(v);
            out.indptr.push(out.indices.len());
        }
        out
    }

    /// Multiply each stored value by a per-column factor.
    pub fn scale_columns(&mut self, factors: &[f64]) {
        const TASK: usize = 1 << 16;
        self.indices
            .par_chunks(TASK)
            .zip(self.data.par_chunks_mut(TASK))
            .for_each(|(cols, values)| {
                for (c, v) in cols.iter().zip(values) {
                    *v = (f64::from(*v) * factors.get(*c as usize).copied().unwrap_or(0.0)) as f32;
                }
            });
    }

    /// A dense copy (for tests and small problems only).
    pub fn to_dense(&self) -> Array2<f64> {
        let mut d = Array2::zeros((self.nrows(), self.ncols));
        for i in 0..self.nrows() {
            let (c, v) = self.row(i);
            for (&c, &v) in c.iter().zip(v) {
                d[(i, c as usize)] = f64::from(v);
            }
        }
        d
    }
}

impl linfa::dataset::Records for CsrMatrix {
    type Elem = f32;

    fn nsamples(&self) -> usize {
        self.nrows()
    }

    fn nfeatures(&self) -> usize {
        self.ncols
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_rejects_bad_layouts() {
        assert!(CsrMatrix::try_new(vec![0, 2], vec![0, 1], vec![1.0, 2.0], 2).is_ok());
        assert!(CsrMatrix::try_new(vec![0, 2], vec![1, 0], vec![1.0, 2.0], 2).is_err());
        assert!(CsrMatrix::try_new(vec![0, 2], vec![0, 2], vec![1.0, 2.0], 2).is_err());
        assert!(CsrMatrix::try_new(vec![0, 1], vec![0, 1], vec![1.0, 2.0], 2).is_err());
        assert!(CsrMatrix::try_new(vec![1, 2], vec![0, 1], vec![1.0, 2.0], 2).is_err());
        assert!(CsrMatrix::try_new(vec![0, 1], vec![0], vec![f32::NAN], 2).is_err());
    }

    #[test]
    fn rows_dot_and_select() {
        let m = CsrMatrix::from_sorted_rows(vec![vec![(0, 1.0), (2, 2.0)], vec![], vec![(1, 3.0)]], 3);
        assert_eq!(m.nrows(), 3);
        assert_eq!(m.row_dot(0, &[1.0, 1.0, 0.5]), 2.0);
        assert_eq!(m.row_dot(1, &[1.0, 1.0, 1.0]), 0.0);
        let s = m.select_rows(&[2, 0]);
        assert_eq!(s.row(0), (&[1u32][..], &[3.0f32][..]));
        assert_eq!(s.to_dense()[(1, 2)], 2.0);
        assert_eq!(m.row(9), (&[][..], &[][..]));
    }
}
