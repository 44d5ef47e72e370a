# Reference values from R's metafor for the synthesis tests (tests/reference/cases.json in,
# tests/reference/metafor.json out). CI has no R: the values are kept beside this script, and a
# test fails when the cases change without them being computed again:
#
#   Rscript tests/reference/metafor_reference.R   (Debian: apt-get install r-cran-metafor)
#
# Each case names its data (by role, as prismaflow's protocol names them), the effect measure
# and the estimator; metafor computes what prismaflow must reproduce: escalc with its defaults
# (add 1/2 to every cell of a table with a zero, drop00 as the case says), rma, predict with the
# back-transformation, leave1out, the test for subgroup differences and regtest(model = "lm").
suppressMessages({
  library(metafor)
  library(jsonlite)
})

here <- dirname(normalizePath(sub("--file=", "", grep("--file=", commandArgs(), value = TRUE))))
cases <- fromJSON(file.path(here, "cases.json"), simplifyVector = FALSE)

column <- function(data, role) as.numeric(unlist(data[[role]]))

effects <- function(case) {
  d <- case$data
  m <- case$measure
  drop00 <- identical(case$double_zero, "drop")
  if (m == "proportion") {
    measure <- if (identical(case$transform, "freeman_tukey")) "PFT" else "PLO"
    return(escalc(measure, xi = column(d, "events"), ni = column(d, "total")))
  }
  if (m %in% c("risk_ratio", "odds_ratio", "risk_difference")) {
    measure <- c(risk_ratio = "RR", odds_ratio = "OR", risk_difference = "RD")[[m]]
    return(escalc(measure, ai = column(d, "events"), n1i = column(d, "total"),
                  ci = column(d, "control_events"), n2i = column(d, "control_total"),
                  drop00 = drop00))
  }
  if (m %in% c("mean_difference", "standardised_mean_difference")) {
    measure <- if (m == "mean_difference") "MD" else "SMD"
    return(escalc(measure, m1i = column(d, "mean"), sd1i = column(d, "sd"),
                  n1i = column(d, "total"), m2i = column(d, "control_mean"),
                  sd2i = column(d, "control_sd"), n2i = column(d, "control_total"),
                  vtype = "LS"))
  }
  ratio <- m == "generic_ratio"
  if (!is.null(d$se)) {
    yi <- column(d, "estimate")
    return(data.frame(yi = if (ratio) log(yi) else yi, vi = column(d, "se")^2))
  }
  # What metafor 4's conv.wald computes (Debian's metafor 3.8 predates it): the estimate and
  # the variance from the 95% interval's width, on the log scale for a ratio.
  scale <- if (ratio) log else identity
  width <- scale(column(d, "ci_high")) - scale(column(d, "ci_low"))
  data.frame(yi = scale(column(d, "estimate")), vi = (width / (2 * qnorm(0.975)))^2)
}

back <- function(case, totals) {
  if (case$measure == "proportion") {
    if (identical(case$transform, "freeman_tukey")) {
      return(function(x) transf.ipft.hm(x, targs = list(ni = totals)))
    }
    return(transf.ilogit)
  }
  if (case$measure %in% c("risk_ratio", "odds_ratio", "generic_ratio")) return(exp)
  function(x) x
}

# REML to full convergence: metafor stops by default once tau² changes by less than 1e-5,
# which for a small tau² (a risk difference's) is a relative precision of a few per cent.
fit <- function(es, case) {
  rma(yi, vi, data = es, method = case$method,
      test = if (isTRUE(case$hartung_knapp)) "knha" else "z",
      control = list(threshold = 1e-12, maxiter = 10000))
}

pooled <- function(res, case, totals) {
  f <- back(case, totals)
  p <- predict(res)
  list(
    studies = res$k, estimate = f(as.numeric(res$b)), ci_low = f(res$ci.lb),
    ci_high = f(res$ci.ub), theta = as.numeric(res$b), theta_se = res$se, tau2 = res$tau2,
    i2 = res$I2 / 100, q = res$QE, q_p_value = res$QEp, pi_low = f(p$pi.lb), pi_high = f(p$pi.ub)
  )
}

totals_of <- function(case, es) {
  n <- case$data$total
  if (is.null(n)) return(NULL)
  column(case$data, "total")[!is.na(es$yi)]
}

compute <- function(case) {
  es <- effects(case)
  kind <- if (is.null(case$kind)) "pool" else case$kind
  if (kind == "pool") {
    return(pooled(fit(es, case), case, totals_of(case, es)))
  }
  if (kind == "leave_one_out") {
    res <- fit(es, case)
    out <- leave1out(res)
    return(lapply(seq_along(out$estimate), function(i) list(
      omitted = i, theta = out$estimate[i], theta_se = out$se[i], tau2 = out$tau2[i],
      i2 = out$I2[i] / 100, q = out$Q[i]
    )))
  }
  if (kind == "subgroups") {
    groups <- unlist(case$groups)
    per <- lapply(unique(groups), function(g) fit(es[groups == g, ], case))
    between <- rma(sapply(per, function(r) as.numeric(r$b)),
                   sei = sapply(per, function(r) r$se), method = "FE")  # Q between groups
    return(list(groups = length(per), q_between = between$QE, df = length(per) - 1,
                p_value = between$QEp))
  }
  if (kind == "egger") {
    reg <- regtest(fit(es, case), model = "lm")
    slope <- summary(reg$fit)$coefficients[2, ]
    return(list(t = reg$zval, df = reg$dfs, p_value = reg$pval,
                slope = unname(slope[1]), slope_se = unname(slope[2]),
                intercept = unname(coef(reg$fit)[1])))
  }
  stop(paste("unknown kind", kind))
}

expected <- lapply(cases, compute)
names(expected) <- sapply(cases, function(case) case$id)
write(toJSON(list(metafor = as.character(packageVersion("metafor")), expected = expected),
             auto_unbox = TRUE, digits = NA, pretty = TRUE),
      file.path(here, "metafor.json"))
