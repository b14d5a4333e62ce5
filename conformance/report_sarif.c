/* SARIF 2.1.0 report (code-scanning tools): one run, the catalog as the driver's rules, one
 * result per violation located at the step of the fixture file that produced it (SARIF
 * 3.4 artifactLocation: relative to SRCROOT inside the source tree, else a file:// URI). */
#define _XOPEN_SOURCE 700 /* realpath */
#include "report_write.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* A JSON string from any bytes (invalid UTF-8 and forbidden controls replaced). */
static json_t *str(const char *s)
{
    char *c = br__utf8_clean(s);
    json_t *j = json_string(c ? c : "");
    free(c);
    return j;
}

static const char *level_of(const char *severity)
{
    if (severity && (strcmp(severity, "error") == 0 || strcmp(severity, "warning") == 0 ||
                     strcmp(severity, "note") == 0))
        return severity;
    return "warning";
}

/* Percent-encodes what a URI path cannot carry as is (RFC 3986: all but unreserved and
 * '/'; bytes of other characters one by one, as UTF-8 URIs do). */
static char *uri_of(const char *rel)
{
    size_t n = strlen(rel);
    char *out = malloc(n * 3 + 1), *o = out;
    if (!out) return NULL;
    for (const unsigned char *p = (const unsigned char *)rel; *p; p++) {
        if (*p < 0x80 && (isalnum(*p) || strchr("-._~/", *p)))
            *o++ = (char)*p;
        else
            o += sprintf(o, "%%%02X", *p);
    }
    *o = '\0';
    return out;
}

static json_t *rules_array(void)
{
    json_t *rules = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(br_catalog(), i, r)
    {
        const char *id = json_string_value(json_object_get(r, "id"));
        const char *statement = json_string_value(json_object_get(r, "statement"));
        const char *source = json_string_value(json_object_get(r, "source"));
        char help[4096];
        snprintf(help, sizeof help, "%s\nSource: %s", statement ? statement : "",
                 source ? source : "");
        json_t *props = json_object();
        json_object_set_new(props, "vendor", str(json_string_value(json_object_get(r, "vendor"))));
        json_object_set_new(props, "source", str(source));
        json_object_set(props, "refuses",
                        json_is_true(json_object_get(r, "refuses")) ? json_true() : json_false());
        json_t *outcomes = json_object_get(r, "outcomes");
        if (json_is_array(outcomes)) json_object_set(props, "outcomes", outcomes);
        json_t *d = json_object();
        json_object_set_new(d, "id", str(id));
        json_object_set_new(d, "shortDescription", json_pack("{s:o}", "text", str(statement)));
        json_object_set_new(d, "fullDescription", json_pack("{s:o}", "text", str(statement)));
        json_object_set_new(d, "help", json_pack("{s:o}", "text", str(help)));
        json_object_set_new(d, "defaultConfiguration",
                            json_pack("{s:s}", "level",
                                      level_of(json_string_value(json_object_get(r, "severity")))));
        json_object_set_new(d, "properties", props);
        json_array_append_new(rules, d);
    }
    return rules;
}

/* The source tree's root, resolved (symbolic links, "..") when it exists. */
static const char *source_root(char *buf)
{
    return realpath(BR_SOURCE_DIR, buf) ? buf : BR_SOURCE_DIR;
}

/* Where a fixture file is: relative to SRCROOT when it lies inside the source tree, else an
 * absolute file:// URI. A relative path is taken from the current directory. */
static json_t *artifact_of(const char *file)
{
    char path[PATH_MAX];
    bool inside;
    br__report_relpath(file, path, sizeof path, &inside);
    char *enc = uri_of(path);
    json_t *artifact;
    if (inside || path[0] != '/') {
        artifact = json_pack("{s:o}", "uri", str(enc ? enc : ""));
        /* Not inside and still relative: the current directory is unknown; no base then. */
        if (inside) json_object_set_new(artifact, "uriBaseId", json_string("SRCROOT"));
    } else {
        size_t n = enc ? strlen(enc) + 8 : 0;
        char *uri = enc ? malloc(n) : NULL;
        if (uri) snprintf(uri, n, "file://%s", enc);
        artifact = json_pack("{s:o}", "uri", str(uri ? uri : ""));
        free(uri);
    }
    free(enc);
    return artifact;
}

static int rule_index(const char *id)
{
    size_t i;
    json_t *r;
    json_array_foreach(br_catalog(), i, r)
    {
        if (strcmp(json_string_value(json_object_get(r, "id")), id) == 0) return (int)i;
    }
    return -1;
}

static json_t *result_of(const br_run *run, const br_fixture_result *f, const br_violation *v)
{
    char title[1400], text[2048];
    br__violation_title(v, title, sizeof title);
    snprintf(text, sizeof text, "Fixture %s: %s", f->id, title);
    json_t *res = json_object();
    int index = v->rule[0] ? rule_index(v->rule) : -1;
    if (v->rule[0]) json_object_set_new(res, "ruleId", str(v->rule));
    if (index >= 0) json_object_set_new(res, "ruleIndex", json_integer(index));
    json_object_set_new(res, "level", json_string("error"));
    json_object_set_new(res, "message", json_pack("{s:o}", "text", str(text)));
    json_t *loc =
        json_pack("{s:{s:o,s:{s:i}}}", "physicalLocation", "artifactLocation", artifact_of(f->file),
                  "region", "startLine", br__step_line(f->file, v->step));
    json_object_set_new(res, "locations", json_pack("[o]", loc));
    json_t *props = json_object();
    json_object_set_new(props, "fixture", str(f->id));
    json_object_set_new(props, "vendor", str(f->vendor));
    json_object_set_new(props, "step", json_integer(v->step));
    if (v->step_name[0]) json_object_set_new(props, "stepName", str(v->step_name));
    if (v->expected) json_object_set_new(props, "expected", str(v->expected));
    if (v->actual) json_object_set_new(props, "actual", str(v->actual));
    char *repro = br_reproduce_command(run, f->file, true);
    json_object_set_new(props, "reproduce", str(repro ? repro : "(out of memory)"));
    free(repro);
    json_object_set_new(res, "properties", props);
    return res;
}

int br_report_sarif(const br_run *run, const char *target, const char *path)
{
    json_t *results = json_array();
    for (size_t i = 0; i < run->n; i++) {
        const br_fixture_result *f = &run->fixtures[i];
        for (size_t k = 0; k < f->n_violations; k++)
            json_array_append_new(results, result_of(run, f, &f->violations[k]));
    }
    char root[PATH_MAX], root_uri[PATH_MAX * 3 + 16], *enc = uri_of(source_root(root));
    snprintf(root_uri, sizeof root_uri, "file://%s/", enc ? enc : "");
    free(enc);
    json_t *driver = json_pack("{s:s,s:s,s:o}", "name", "brcheck", "version", BR_VERSION, "rules",
                               rules_array());
    json_t *props =
        json_pack("{s:o,s:{s:i,s:i,s:i,s:i,s:i}}", "target", str(target ? target : "model"),
                  "summary", "fixtures", (int)run->n, "passed", (int)run->passed, "failed",
                  (int)run->failed, "skipped", (int)run->skipped, "errors", (int)run->errors);
    json_object_set_new(props, "profile",
                        str(run->context.profile ? run->context.profile : "default"));
    json_object_set_new(props, "mutant",
                        run->context.mutant ? str(run->context.mutant) : json_null());
    json_t *sarif_run =
        json_pack("{s:{s:o},s:{s:{s:o}},s:[{s:b}],s:o,s:o}", "tool", "driver", driver,
                  "originalUriBaseIds", "SRCROOT", "uri", str(root_uri), "invocations",
                  "executionSuccessful", run->errors == 0, "results", results, "properties", props);
    json_t *doc =
        json_pack("{s:s,s:s,s:[o]}", "$schema", "https://json.schemastore.org/sarif-2.1.0.json",
                  "version", "2.1.0", "runs", sarif_run);
    return br__report_json_file(doc, path);
}
