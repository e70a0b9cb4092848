#pragma once

#include <cmath>

namespace quantscope {

// A double-double number (hi + lo, |lo| <= ulp(hi)/2): sums of millions of float32 values and
// their squares stay exact to ~1e-32 relative, so differences of prefix sums and the expansion
// sum((x - r)^2) = S2 - 2 r S1 + r^2 n keep their precision even when the result is tiny.
struct CompensatedSum {
    double hi = 0.0;
    double lo = 0.0;

    CompensatedSum() = default;
    CompensatedSum(double value)
        : hi(value)
    {
    } // NOLINT: implicit from a plain double is intended

    double value() const { return hi + lo; }

    CompensatedSum& operator+=(double x) { return *this += CompensatedSum(x); }
    CompensatedSum& operator+=(const CompensatedSum& o)
    {
        // TwoSum of the high parts, then fold in the low parts (Dekker / QD library "sloppy add"
        // made accurate by a second TwoSum).
        double s = hi + o.hi;
        double bb = s - hi;
        double err = (hi - (s - bb)) + (o.hi - bb);
        double t = lo + o.lo;
        double tb = t - lo;
        double terr = (lo - (t - tb)) + (o.lo - tb);
        err += t;
        double h = s + err;
        err = err - (h - s);
        err += terr;
        hi = h + err;
        lo = err - (hi - h);
        return *this;
    }
    CompensatedSum operator-() const
    {
        CompensatedSum r;
        r.hi = -hi;
        r.lo = -lo;
        return r;
    }
    CompensatedSum& operator-=(const CompensatedSum& o) { return *this += -o; }
    friend CompensatedSum operator+(CompensatedSum a, const CompensatedSum& b) { return a += b; }
    friend CompensatedSum operator-(CompensatedSum a, const CompensatedSum& b) { return a -= b; }

    // Exact product of two doubles as a double-double (uses fused multiply-add).
    static CompensatedSum product(double a, double b)
    {
        CompensatedSum r;
        r.hi = a * b;
        r.lo = std::fma(a, b, -r.hi);
        return r;
    }
    // this * b, accurate to double-double precision.
    CompensatedSum times(double b) const
    {
        CompensatedSum p = product(hi, b);
        p += lo * b;
        return p;
    }
};

} // namespace quantscope
