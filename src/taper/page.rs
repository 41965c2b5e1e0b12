//! A page's `taper:` block: its defaults and limits, and its own check.

use serde::{Deserialize, Serialize};

use super::validate::param_range;
use super::{Dec, Unit};

/// A default and the range allowed for one parameter of a page's `taper:` block.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Dec>,
}

impl Limit {
    pub(super) fn is_empty(&self) -> bool {
        self.default.is_none() && self.min.is_none() && self.max.is_none()
    }
}

/// A page's `taper:` block: what the schedule doses, and defaults and limits for personalized
/// schedules made from that page.
///
/// ```yaml
/// taper:
///   substance: kratom leaf powder
///   unit: g
///   dose_forms: [powder, capsules]
///   reduction_percent: { default: 10, min: 5, max: 25 }
///   interval_days: { default: 7, min: 3, max: 28 }
///   step: { default: 0.5 }
///   min_dose: { default: 0.5 }
///   doses_per_day: { default: 3, max: 6 }
///   max_step_percent: 25
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PageTaper {
    pub substance: String,
    pub unit: Unit,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dose_forms: Vec<String>,
    /// r: percent cut per step.
    #[serde(default, skip_serializing_if = "Limit::is_empty")]
    pub reduction_percent: Limit,
    /// k: days per step.
    #[serde(default, skip_serializing_if = "Limit::is_empty")]
    pub interval_days: Limit,
    /// q: the smallest measurable amount.
    #[serde(default, skip_serializing_if = "Limit::is_empty")]
    pub step: Limit,
    /// m: the lowest dose before stopping.
    #[serde(default, skip_serializing_if = "Limit::is_empty")]
    pub min_dose: Limit,
    /// n: doses per day.
    #[serde(default, skip_serializing_if = "Limit::is_empty")]
    pub doses_per_day: Limit,
    /// Warn when one step cuts more than this percent of the previous dose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_step_percent: Option<Dec>,
    /// Warn when the last dose before stopping is above this (default: twice the smallest
    /// measurable amount): the final step to zero is a cut of 100%, whatever the rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_final_dose: Option<Dec>,
}

impl PageTaper {
    /// Problems with the block itself (a default outside its own limits, a limit outside what
    /// the algorithm allows), for the site build to report at the page.
    pub fn check(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.substance.trim().is_empty() {
            out.push("taper.substance is empty".to_string());
        }
        for (name, l) in self.limits() {
            if let (Some(lo), Some(hi)) = (l.min, l.max) {
                if lo > hi {
                    out.push(format!("taper.{name}: min {lo} is above max {hi}"));
                }
            }
            if let Some(d) = l.default {
                if l.min.is_some_and(|lo| d < lo) || l.max.is_some_and(|hi| d > hi) {
                    out.push(format!(
                        "taper.{name}: the default {d} is outside the page's own limits"
                    ));
                }
            }
            for v in [l.default, l.min, l.max].into_iter().flatten() {
                if let Err(e) = param_range(name, v) {
                    out.push(format!("taper.{name}: {e}"));
                }
            }
        }
        if let Some(p) = self.max_step_percent {
            if !p.is_positive() || p > Dec::from_int(100) {
                out.push(format!(
                    "taper.max_step_percent: {p} is not a percent between 0 and 100"
                ));
            }
        }
        if let Some(f) = self.max_final_dose {
            if !f.is_positive() {
                out.push(format!("taper.max_final_dose: {f} is not more than 0"));
            }
            // Below the smallest measurable amount, every schedule would be warned of.
            let q = [self.step.min, self.step.default]
                .into_iter()
                .flatten()
                .max();
            if let Some(q) = q.filter(|q| f.is_positive() && f < *q) {
                out.push(format!(
                    "taper.max_final_dose: {f} is below the smallest measurable amount {q}"
                ));
            }
        }
        out
    }

    pub(super) fn limits(&self) -> [(&'static str, &Limit); 5] {
        [
            ("reduction_percent", &self.reduction_percent),
            ("interval_days", &self.interval_days),
            ("step", &self.step),
            ("min_dose", &self.min_dose),
            ("doses_per_day", &self.doses_per_day),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taper::testutil::*;
    use crate::taper::*;

    #[test]
    fn page_block_rejects_unknown_keys_and_checks_itself() {
        let e = serde_norway::from_str::<PageTaper>(
            "substance: x\nunit: g\nreducton_percent: {default: 10}\n",
        );
        assert!(e.unwrap_err().to_string().contains("unknown field"));
        let e = serde_norway::from_str::<PageTaper>("substance: x\nunit: kg\n");
        assert!(e.is_err());
        let p: PageTaper = serde_norway::from_str(
            "substance: x\nunit: g\nreduction_percent: {default: 30, max: 25}\ndoses_per_day: {default: 20}\n",
        )
        .unwrap();
        let problems = p.check();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(page().check().is_empty());
        // It round-trips.
        let text = serde_norway::to_string(&page()).unwrap();
        let back: PageTaper = serde_norway::from_str(&text).unwrap();
        assert_eq!(back, page());
    }

    #[test]
    fn max_final_dose_must_be_positive_and_measurable() {
        let mut p = page();
        p.max_final_dose = Some(d("0"));
        assert!(p
            .check()
            .iter()
            .any(|e| e == "taper.max_final_dose: 0 is not more than 0"));
        p.max_final_dose = Some(d("0.25"));
        assert!(
            p.check()
                .iter()
                .any(|e| e
                    == "taper.max_final_dose: 0.25 is below the smallest measurable amount 0.5"),
            "{:?}",
            p.check()
        );
        p.max_final_dose = Some(d("1.5"));
        assert!(p.check().is_empty(), "{:?}", p.check());
        // The page's own limit replaces the default of twice the step.
        let mut inp = input("20", "10", 7, "0.5", 3);
        inp.min_dose = d("1");
        inp.limits = Some(p);
        let s = schedule(&inp).unwrap();
        assert!(
            !s.warnings.iter().any(|w| w.text.contains("last dose")),
            "{:?}",
            s.warnings
        );
    }
}
