# Public binary classification data sets and the AUCs of classic reference models on them.
#
# Run once with Debian's R (apt-get install r-base-core r-cran-mlbench r-cran-kernlab r-cran-ranger r-cran-gbm):
#   Rscript bench/reference/export.R
# It writes bench/reference/data/<name>.csv (the rows, with a `split` column: train or test, drawn once,
# stratified, seed 2026) and bench/reference/references.json (each reference model's AUC on the test rows,
# trained on the train rows). bench/reference-models.ts trains Kinetic on the same train rows and prints
# its test AUC beside these. Nothing is downloaded: the data ship inside the R packages named below.
suppressPackageStartupMessages({ library(mlbench); library(kernlab); library(ranger); library(gbm) })

auc <- function(y, p) {
  r <- rank(p); n1 <- sum(y == 1); n0 <- sum(y == 0)
  (sum(r[y == 1]) - n1 * (n1 + 1) / 2) / (n1 * n0)
}

sets <- list()
data(PimaIndiansDiabetes2); d <- PimaIndiansDiabetes2
sets$pima_diabetes <- list(df = d, label = "diabetes", positive = "pos", source = "Pima Indians Diabetes (UCI; R mlbench::PimaIndiansDiabetes2, zeros as missing)")
data(HouseVotes84); d <- HouseVotes84
sets$house_votes <- list(df = d, label = "Class", positive = "democrat", source = "1984 US Congressional Voting Records (UCI; R mlbench::HouseVotes84, 16 categorical votes with missing)")
data(Ionosphere); d <- Ionosphere; d$V2 <- NULL; d$V1 <- as.numeric(as.character(d$V1))
sets$ionosphere <- list(df = d, label = "Class", positive = "good", source = "Johns Hopkins Ionosphere radar returns (UCI; R mlbench::Ionosphere)")
data(Sonar); d <- Sonar
sets$sonar <- list(df = d, label = "Class", positive = "M", source = "Sonar, mines vs. rocks (UCI; R mlbench::Sonar)")
data(spam); d <- spam
sets$spambase <- list(df = d, label = "type", positive = "spam", source = "Spambase, Hewlett-Packard Labs (UCI; R kernlab::spam)")
data(BreastCancer); d <- BreastCancer; d$Id <- NULL
for (c in setdiff(names(d), "Class")) d[[c]] <- as.numeric(as.character(d[[c]]))
sets$breast_cancer <- list(df = d, label = "Class", positive = "malignant", source = "Wisconsin Breast Cancer, Wolberg (UCI; R mlbench::BreastCancer, ordinal scores as numbers)")

dir.create("bench/reference/data", showWarnings = FALSE, recursive = TRUE)
out <- list()
for (name in names(sets)) {
  s <- sets[[name]]; df <- s$df
  y <- as.integer(df[[s$label]] == s$positive)
  set.seed(2026)
  split <- rep("train", nrow(df))
  for (cls in 0:1) { idx <- which(y == cls); split[sample(idx, round(length(idx) * 0.3))] <- "test" }
  csv <- df; csv$split <- split
  write.csv(csv, file.path("bench/reference/data", paste0(name, ".csv")), row.names = FALSE, na = "")

  features <- setdiff(names(df), s$label)
  tr <- df[split == "train", ]; te <- df[split == "test", ]
  ytr <- y[split == "train"]; yte <- y[split == "test"]
  X <- function(d) { d <- d[, features, drop = FALSE]; d }
  # Reference models need complete rows: numeric blanks get the train median, categorical blanks their own level.
  impute <- function(d, ref) {
    for (c in features) {
      if (is.numeric(d[[c]])) d[[c]][is.na(d[[c]])] <- median(ref[[c]], na.rm = TRUE)
      else { v <- as.character(d[[c]]); v[is.na(v)] <- "missing"; d[[c]] <- factor(v, levels = union(levels(factor(as.character(ref[[c]]))), "missing")) }
    }
    d
  }
  trX <- impute(X(tr), X(tr)); teX <- impute(X(te), X(tr))
  res <- list()
  set.seed(1)
  g <- suppressWarnings(glm(ytr ~ ., data = cbind(trX, ytr = ytr), family = binomial()))
  res$glm <- auc(yte, suppressWarnings(predict(g, teX, type = "response")))
  rf <- ranger(x = trX, y = factor(ytr), probability = TRUE, num.trees = 500, seed = 1)
  res$ranger <- auc(yte, predict(rf, teX)$predictions[, "1"])
  gb <- gbm(ytr ~ ., data = cbind(trX, ytr = ytr), distribution = "bernoulli", n.trees = 2000, shrinkage = 0.01, interaction.depth = 3, cv.folds = 5, n.cores = 1, verbose = FALSE)
  best <- gbm.perf(gb, method = "cv", plot.it = FALSE)
  res$gbm <- auc(yte, predict(gb, teX, n.trees = best, type = "response"))
  out[[name]] <- list(source = s$source, label = s$label, positive = s$positive, rows = nrow(df), features = length(features),
    train = sum(split == "train"), test = sum(split == "test"),
    references = lapply(res, function(v) round(v, 4)))
  cat(sprintf("%-14s rows %5d  glm %.4f  ranger %.4f  gbm %.4f\n", name, nrow(df), res$glm, res$ranger, res$gbm))
}
meta <- list(generated_by = "bench/reference/export.R", r = R.version.string,
  packages = list(mlbench = as.character(packageVersion("mlbench")), kernlab = as.character(packageVersion("kernlab")),
    ranger = as.character(packageVersion("ranger")), gbm = as.character(packageVersion("gbm"))),
  models = list(glm = "glm(binomial), all features", ranger = "ranger, 500 trees, probability forest, defaults otherwise",
    gbm = "gbm bernoulli, depth 3, shrinkage 0.01, up to 2000 trees, rounds by 5-fold CV"),
  datasets = out)
# jsonlite may be absent; write the small JSON by hand.
toJson <- function(x, indent = "") {
  pad <- paste0(indent, "  ")
  if (is.list(x)) {
    keys <- names(x)
    items <- vapply(seq_along(x), function(i) paste0(pad, '"', keys[i], '": ', toJson(x[[i]], pad)), "")
    paste0("{\n", paste(items, collapse = ",\n"), "\n", indent, "}")
  } else if (is.character(x)) paste0('"', gsub('"', '\\\\"', x), '"')
  else as.character(x)
}
writeLines(toJson(meta), "bench/reference/references.json")
