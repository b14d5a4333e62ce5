/* The traceability matrix (`brcheck rules --matrix`): each catalog rule traced to its
 * source, its fixtures, its mutant and the functions that enforce it. */
#include "matrix.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const vendor_order[] = {"zilliz", "crdb", "atlas", "all"};
#define N_VENDORS (sizeof vendor_order / sizeof *vendor_order)

/* Whether the rule id's family ("ZC" of "ZC-TIER") is the len bytes at family. */
static bool in_family(const char *id, const char *family, size_t len)
{
    return strcspn(id, "-") == len && strncmp(id, family, len) == 0;
}

bool br_rule_family_selected(const char *only, const char *id)
{
    if (!only) return true;
    for (const char *p = only; *p;) {
        size_t len = strcspn(p, ",");
        if (in_family(id, p, len)) return true;
        p += len + (p[len] == ',');
    }
    return false;
}

bool br_rule_family_unknown(const char *only, char *why, size_t whylen)
{
    for (const char *p = only;;) {
        size_t len = strcspn(p, ",");
        bool known = false;
        for (int r = 0; r < BR_RULE_COUNT && len && !known; r++)
            known = in_family(br_rule_id((br_rule)r), p, len);
        if (!known) {
            size_t at = (size_t)snprintf(why, whylen,
                                         "no rule family \"%.*s\" (the families:", (int)len, p);
            for (int r = 0; r < BR_RULE_COUNT && at < whylen; r++) {
                const char *id = br_rule_id((br_rule)r);
                size_t n = strcspn(id, "-");
                bool seen = false;
                for (int q = 0; q < r && !seen; q++)
                    seen = in_family(br_rule_id((br_rule)q), id, n);
                if (!seen) at += (size_t)snprintf(why + at, whylen - at, " %.*s", (int)n, id);
            }
            if (at < whylen) snprintf(why + at, whylen - at, ")");
            return true;
        }
        if (!p[len]) return false;
        p += len + 1;
    }
}

/* Appends {function, file, line, via} unless that function of that file is listed. */
static void add_function(json_t *list, const char *function, const char *file, int line,
                         const char *via)
{
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "function")), function) == 0 &&
            strcmp(json_string_value(json_object_get(e, "file")), file) == 0)
            return;
    }
    json_array_append_new(list, json_pack("{s:s,s:s,s:i,s:s}", "function", function, "file", file,
                                          "line", line, "via", via));
}

/* The suite against the rule's mutant: the number of fixtures that fail (kill it), or -1
 * when the fixtures cannot be loaded. */
static long mutant_killers(char *const paths[], size_t n_paths, br_rule rule)
{
    br_run run = {0};
    if (br_run_load(&run, paths, n_paths) != 0) {
        br_run_free(&run);
        return -1;
    }
    br_target *t = br_model_target_new(rule);
    if (!t) {
        br_run_free(&run);
        return -1;
    }
    br_run_execute(&run, t, "default");
    long killers = (long)run.failed;
    t->close(t);
    br_run_free(&run);
    return killers;
}

static void problem(json_t *row, const char *text)
{
    json_array_append_new(json_object_get(row, "problems"), json_string(text));
}

/* One rule's row; its mutant is played against the fixtures under 'paths' when the options
 * ask for it and 'can_play' (the paths could be read). */
static json_t *rule_row(const json_t *r, const br_run *run, char *const paths[], size_t n_paths,
                        const br_matrix_options *opt, bool can_play)
{
    const char *id = json_string_value(json_object_get(r, "id"));
    const char *source = json_string_value(json_object_get(r, "source"));
    bool refuses = json_is_true(json_object_get(r, "refuses"));
    json_t *holding = json_array(), *refusing = json_array(), *enforced = json_array();
    json_t *unresolved = json_array();
    json_t *row = json_pack("{s:s,s:O,s:s,s:b,s:o,s:o,s:o,s:o,s:[]}", "id", id, "vendor",
                            json_object_get(r, "vendor"), "source", source ? source : "", "refuses",
                            refuses, "holding", holding, "refusing", refusing, "enforcedBy",
                            enforced, "unresolved", unresolved, "problems");
    if (!row) return NULL;
    for (size_t k = 0; k < run->n; k++) {
        const char *w = json_string_value(json_object_get(run->fixtures[k].rules, id));
        if (w && strcmp(w, "holds") == 0)
            json_array_append_new(holding, json_string(run->fixtures[k].id));
        if (w && strcmp(w, "refuses") == 0)
            json_array_append_new(refusing, json_string(run->fixtures[k].id));
    }
    br_rule rule = br_rule_from_id(id);
    bool known = rule != BR_RULE_COUNT;
    bool mutant = known && br_rule_has_mutant(rule);
    const char *why = json_string_value(json_object_get(r, "noMutant"));
    json_object_set_new(row, "mutant", json_boolean(mutant));
    json_object_set_new(row, "noMutant", why ? json_string(why) : json_null());
    json_object_set_new(row, "killed", json_null());
    json_object_set_new(row, "killedBy", json_null());
    if (mutant && opt->run_mutants && can_play) {
        long killers = mutant_killers(paths, n_paths, rule);
        if (killers >= 0) {
            json_object_set_new(row, "killed", json_boolean(killers > 0));
            json_object_set_new(row, "killedBy", json_integer(killers));
        }
    }
    for (size_t s = 0; known && s < br_rule_sites_count; s++)
        if (br_rule_sites[s].rule == rule)
            add_function(enforced, br_rule_sites[s].function, br_rule_sites[s].file,
                         br_rule_sites[s].line, "symbol");
    size_t i;
    json_t *name;
    json_array_foreach(json_object_get(r, "enforced_by"), i, name)
    {
        const char *fn = json_string_value(name);
        bool found = false;
        for (size_t f = 0; fn && f < br_model_functions_count; f++)
            if (strcmp(br_model_functions[f].name, fn) == 0) {
                add_function(enforced, fn, br_model_functions[f].file, br_model_functions[f].line,
                             "catalog");
                found = true;
            }
        if (!found) json_array_append_new(unresolved, json_string(fn ? fn : "(not a string)"));
    }

    char msg[256];
    if (!known) problem(row, "is unknown to the model (model/include/brcheck/rules/*.def)");
    if (!source || !*source) problem(row, "lacks a source");
    if (json_array_size(holding) == 0) problem(row, "lacks a fixture where it holds");
    if (refuses && json_array_size(refusing) == 0)
        problem(row, "lacks a fixture showing its refusal");
    if (json_array_size(enforced) == 0)
        problem(row, "lacks an enforcing function (no BR_RULE_ use in model/, no enforced_by)");
    json_array_foreach(unresolved, i, name)
    {
        snprintf(msg, sizeof msg, "names an enforcing function that does not exist: %s",
                 json_string_value(name));
        problem(row, msg);
    }
    if (mutant && json_is_false(json_object_get(row, "killed")))
        problem(row, "has a mutant that the suite does not kill");
    if (mutant && opt->run_mutants && json_is_null(json_object_get(row, "killed")))
        problem(row, "has a mutant that could not be played");
    if (known && !mutant && !why)
        problem(row, "has no mutant and no noMutant reason in spec/rules");
    if (mutant && why) problem(row, "has a mutant, yet spec/rules gives a noMutant reason");
    return row;
}

static json_t *vendor_counts(json_t *vendors, const char *vendor)
{
    json_t *v = json_object_get(vendors, vendor);
    if (!v) {
        v = json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i}", "rules", 0, "withHolding", 0,
                      "refusingRules", 0, "withRefusal", 0, "mutants", 0, "killed", 0, "enforced",
                      0, "problems", 0);
        json_object_set_new(vendors, vendor, v);
    }
    return v;
}

static void bump(json_t *counts, const char *key, bool yes)
{
    if (yes)
        json_object_set_new(counts, key,
                            json_integer(json_integer_value(json_object_get(counts, key)) + 1));
}

/* Why 'path' cannot be read (strerror's text), or NULL when it can. */
static const char *unreadable(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) return strerror(errno);
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d) return strerror(errno);
        closedir(d);
        return NULL;
    }
    FILE *f = fopen(path, "r");
    if (!f) return strerror(errno);
    fclose(f);
    return NULL;
}

size_t br_matrix_load(br_run *run, char *const paths[], size_t n_paths, const char *who, FILE *err)
{
    char **readable = calloc(n_paths ? n_paths : 1, sizeof *readable);
    if (!readable) {
        fprintf(err, "%s: out of memory\n", who);
        return 1;
    }
    size_t problems = 0, n = 0;
    for (size_t i = 0; i < n_paths; i++) {
        const char *why = unreadable(paths[i]);
        if (why) {
            fprintf(err, "%s: cannot read %s: %s\n", who, paths[i], why);
            problems++;
        } else
            readable[n++] = paths[i];
    }
    /* A path that fails between the look above and the load is named by br_run_load. */
    if (br_run_load(run, readable, n) != 0) problems++;
    free(readable);
    for (size_t k = 0; k < run->n; k++) {
        const br_fixture_result *f = &run->fixtures[k];
        if (f->status != BR_FIX_ERROR) continue;
        fprintf(err, "%s: bad fixture %s: %s\n", who, f->file,
                f->n_violations ? f->violations[0].message : "it does not load");
        problems++;
    }
    return problems;
}

/* The matrix over the loaded fixtures of 'paths'; see br_matrix_build. */
static json_t *build(const br_run *run, char *const paths[], size_t n_paths,
                     const br_matrix_options *opt, bool can_play)
{
    size_t bad = 0;
    for (size_t k = 0; k < run->n; k++)
        bad += run->fixtures[k].status == BR_FIX_ERROR;
    json_t *rows = json_array(), *vendors = json_object();
    json_t *m = json_pack("{s:o,s:o,s:i,s:i,s:b}", "rules", rows, "vendors", vendors, "fixtures",
                          (json_int_t)run->n, "badFixtures", (json_int_t)bad, "mutantsPlayed",
                          opt->run_mutants);
    if (!m) return NULL;
    for (size_t v = 0; v < N_VENDORS; v++)
        vendor_counts(vendors, vendor_order[v]);
    size_t i;
    json_t *r;
    json_array_foreach(br_catalog(), i, r)
    {
        const char *id = json_string_value(json_object_get(r, "id"));
        if (!id || !br_rule_family_selected(opt->only, id)) continue;
        json_t *row = rule_row(r, run, paths, n_paths, opt, can_play);
        if (!row) continue;
        json_array_append_new(rows, row);
        const char *vendor = json_string_value(json_object_get(row, "vendor"));
        json_t *counts[2] = {vendor_counts(vendors, vendor ? vendor : "?"),
                             vendor_counts(vendors, "total")};
        for (int c = 0; c < 2; c++) {
            bump(counts[c], "rules", true);
            bump(counts[c], "withHolding", json_array_size(json_object_get(row, "holding")) > 0);
            bool refuses = json_is_true(json_object_get(row, "refuses"));
            bump(counts[c], "refusingRules", refuses);
            bump(counts[c], "withRefusal",
                 refuses && json_array_size(json_object_get(row, "refusing")) > 0);
            bump(counts[c], "mutants", json_is_true(json_object_get(row, "mutant")));
            bump(counts[c], "killed", json_is_true(json_object_get(row, "killed")));
            bump(counts[c], "enforced", json_array_size(json_object_get(row, "enforcedBy")) > 0);
            bump(counts[c], "problems", json_array_size(json_object_get(row, "problems")) > 0);
        }
    }
    /* Drop the vendors without rules (an --only selection), keeping the order. */
    for (size_t v = 0; v < N_VENDORS; v++)
        if (json_integer_value(
                json_object_get(json_object_get(vendors, vendor_order[v]), "rules")) == 0)
            json_object_del(vendors, vendor_order[v]);
    return m;
}

json_t *br_matrix_build(char *const paths[], size_t n_paths, const br_matrix_options *opt)
{
    br_run run = {0};
    bool read = br_run_load(&run, paths, n_paths) == 0;
    json_t *m = build(&run, paths, n_paths, opt, read);
    br_run_free(&run);
    return m;
}

size_t br_matrix_problems(const json_t *matrix)
{
    size_t n = (size_t)json_integer_value(json_object_get(matrix, "badFixtures"));
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(matrix, "rules"), i, row)
    {
        n += json_array_size(json_object_get(row, "problems")) > 0;
    }
    return n;
}

size_t br_matrix_print_problems(const json_t *matrix, FILE *out)
{
    size_t n = 0;
    json_int_t bad = json_integer_value(json_object_get(matrix, "badFixtures"));
    if (bad) {
        fprintf(out, "%lld fixture(s) cannot be loaded (brcheck run names them)\n", (long long)bad);
        n++;
    }
    size_t i, k;
    json_t *row, *p;
    json_array_foreach(json_object_get(matrix, "rules"), i, row)
    {
        json_array_foreach(json_object_get(row, "problems"), k, p)
        {
            fprintf(out, "rule %s %s\n", json_string_value(json_object_get(row, "id")),
                    json_string_value(p));
            n++;
        }
    }
    return n;
}

/* "a, b, c" of a JSON array of strings. */
static void print_list(FILE *out, const json_t *list, const char *sep)
{
    size_t i;
    json_t *s;
    json_array_foreach(list, i, s)
    {
        fprintf(out, "%s%s", i ? sep : "", json_string_value(s));
    }
}

static void print_functions(FILE *out, const json_t *list, const char *sep, bool code)
{
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        fprintf(out, "%s%s%s%s %s:%lld", i ? sep : "", code ? "`" : "",
                json_string_value(json_object_get(e, "function")), code ? "`" : "",
                json_string_value(json_object_get(e, "file")),
                (long long)json_integer_value(json_object_get(e, "line")));
    }
}

/* The mutant's cell: "killed by N fixtures", "SURVIVES", "none: why", "not played". */
static void print_mutant(FILE *out, const json_t *row)
{
    if (!json_is_true(json_object_get(row, "mutant"))) {
        const char *why = json_string_value(json_object_get(row, "noMutant"));
        fprintf(out, "none: %s", why ? why : "(no reason given)");
    } else if (json_is_true(json_object_get(row, "killed")))
        fprintf(out, "killed by %lld fixtures",
                (long long)json_integer_value(json_object_get(row, "killedBy")));
    else if (json_is_false(json_object_get(row, "killed")))
        fprintf(out, "SURVIVES the suite");
    else
        fprintf(out, "yes (not played)");
}

void br_matrix_print_text(const json_t *matrix, FILE *out)
{
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(matrix, "rules"), i, row)
    {
        const json_t *problems = json_object_get(row, "problems");
        fprintf(out, "%s (%s)%s\n", json_string_value(json_object_get(row, "id")),
                json_string_value(json_object_get(row, "vendor")),
                json_array_size(problems) ? "  INCOMPLETE" : "");
        fprintf(out, "  source    %s\n", json_string_value(json_object_get(row, "source")));
        const json_t *h = json_object_get(row, "holding"), *f = json_object_get(row, "refusing");
        fprintf(out, "  holds     %zu: ", json_array_size(h));
        print_list(out, h, ", ");
        if (json_is_true(json_object_get(row, "refuses"))) {
            fprintf(out, "\n  refuses   %zu: ", json_array_size(f));
            print_list(out, f, ", ");
        } else
            fprintf(out, "\n  refuses   (the rule refuses nothing)");
        fprintf(out, "\n  mutant    ");
        print_mutant(out, row);
        fprintf(out, "\n  enforced  ");
        print_functions(out, json_object_get(row, "enforcedBy"), ", ", false);
        fprintf(out, "\n");
        size_t k;
        json_t *p;
        json_array_foreach(problems, k, p)
        {
            fprintf(out, "  PROBLEM   %s\n", json_string_value(p));
        }
    }
    fprintf(out, "\n");
    br_matrix_print_summary(matrix, out);
}

void br_matrix_print_summary(const json_t *matrix, FILE *out)
{
    fprintf(out, "| vendor | rules | with a holding fixture | refusals shown (of rules that "
                 "refuse) | mutants killed (of rules with a mutant) | with an enforcing "
                 "function |\n|---|---:|---:|---:|---:|---:|\n");
    const char *key;
    json_t *c;
    json_object_foreach((json_t *)json_object_get(matrix, "vendors"), key, c)
    {
#define N(k) ((long long)json_integer_value(json_object_get(c, k)))
        bool played = json_is_true(json_object_get(matrix, "mutantsPlayed"));
        fprintf(out, "| %s | %lld | %lld | %lld / %lld | ", key, N("rules"), N("withHolding"),
                N("withRefusal"), N("refusingRules"));
        if (played)
            fprintf(out, "%lld / %lld", N("killed"), N("mutants"));
        else
            fprintf(out, "not played / %lld", N("mutants"));
        fprintf(out, " | %lld |\n", N("enforced"));
#undef N
    }
}

/* Markdown table cells must not hold '|' or newlines. */
static void md_cell(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|')
            fputs("\\|", out);
        else if (*s == '\n')
            fputc(' ', out);
        else
            fputc(*s, out);
    }
}

void br_matrix_print_markdown(const json_t *matrix, FILE *out)
{
    fprintf(out, "# Rule traceability matrix\n\n"
                 "Generated by `scripts/update-readme-matrix.sh` (`brcheck rules --matrix "
                 "--markdown`); do not edit. For every rule of the catalog (`spec/rules/`): "
                 "its source, the fixtures that show it holding and refused, its mutant (the "
                 "model with that rule broken, played against the whole suite in-process) and "
                 "the functions that enforce it (uses of `BR_RULE_<SYM>` in `model/`, and the "
                 "catalog's `enforced_by`).\n\n");
    br_matrix_print_summary(matrix, out);
    fprintf(out, "\n| rule | vendor | source | holds | refused | mutant | enforced by |\n"
                 "|---|---|---|---|---|---|---|\n");
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(matrix, "rules"), i, row)
    {
        fprintf(out, "| %s | %s | ", json_string_value(json_object_get(row, "id")),
                json_string_value(json_object_get(row, "vendor")));
        md_cell(out, json_string_value(json_object_get(row, "source")));
        fprintf(out, " | ");
        print_list(out, json_object_get(row, "holding"), "<br>");
        fprintf(out, " | ");
        if (json_is_true(json_object_get(row, "refuses")))
            print_list(out, json_object_get(row, "refusing"), "<br>");
        else
            fprintf(out, "(refuses nothing)");
        fprintf(out, " | ");
        print_mutant(out, row);
        fprintf(out, " | ");
        print_functions(out, json_object_get(row, "enforcedBy"), "<br>", true);
        size_t k;
        json_t *p;
        json_array_foreach(json_object_get(row, "problems"), k, p)
        {
            fprintf(out, "<br>**PROBLEM**: %s", json_string_value(p));
        }
        fprintf(out, " |\n");
    }
}

int br_matrix_command(char *const paths[], size_t n_paths, const br_matrix_options *opt,
                      br_matrix_format format, bool check)
{
    br_run run = {0};
    if (br_matrix_load(&run, paths, n_paths, "brcheck rules", stderr) != 0) {
        br_run_free(&run);
        return 2;
    }
    json_t *m = build(&run, paths, n_paths, opt, true);
    br_run_free(&run);
    if (!m) {
        fprintf(stderr, "brcheck rules: cannot build the matrix (out of memory)\n");
        return 2;
    }
    int rc = 0;
    if (format == BR_MATRIX_JSON) {
        char *s = json_dumps(m, JSON_INDENT(2));
        rc = s ? 0 : 2;
        if (s)
            puts(s);
        else
            fprintf(stderr, "brcheck rules: cannot write the matrix (out of memory)\n");
        free(s);
    } else if (format == BR_MATRIX_MARKDOWN)
        br_matrix_print_markdown(m, stdout);
    else if (format == BR_MATRIX_SUMMARY)
        br_matrix_print_summary(m, stdout);
    else if (!check)
        br_matrix_print_text(m, stdout);
    if (check && rc == 0) {
        /* The text check is the listing; beside a document, the verdict goes to stderr. */
        FILE *out = format == BR_MATRIX_TEXT ? stdout : stderr;
        size_t n = br_matrix_print_problems(m, out);
        fprintf(out, "traceability check %s: %zu rules, %zu problem(s)%s\n",
                n ? "FAILED" : "passed", json_array_size(json_object_get(m, "rules")), n,
                opt->run_mutants ? "" : " (mutants not played)");
        rc = n ? 1 : 0;
    }
    json_decref(m);
    return rc;
}
