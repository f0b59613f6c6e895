/* The commit journal (commit_journal.h): its text form and its two directions (the pending
 * objects' moves are in commit_publish.c). */
#include "engine/commit/commit_journal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JOURNAL_MAGIC "lake-journal 1"

static const char *const kind_names[] = {"swap", "retire", "marker", "publish", "clean", "place"};

void eng_journal_add(eng_journal *j, eng_move_kind kind, const char *rel, const char *witness) {
    if (j->n == j->cap) {
        j->cap = j->cap ? j->cap * 2 : 16;
        j->moves = lake_xrealloc(j->moves, j->cap * sizeof *j->moves);
    }
    j->moves[j->n++] = (eng_move){kind, lake_xstrdup(rel), witness ? lake_xstrdup(witness) : NULL};
}

void eng_journal_free(eng_journal *j) {
    for (size_t i = 0; i < j->n; i++) {
        free(j->moves[i].rel);
        free(j->moves[i].witness);
    }
    free(j->moves);
    free(j->run_id);
    free(j->staging);
    memset(j, 0, sizeof *j);
}

char *eng_marker_text(const char *run_id) {
    return lake_xconcat("lake run ", run_id, "\n");
}

/* Fields are tab-separated: partition directories escape every control byte, so no key holds a
 * tab or a newline. */
lake_rc eng_journal_write(lake_store *out, const eng_journal *j, eng_step_fn step, void *ud,
                          lake_error *err) {
    lake_buf b;
    lake_buf_init(&b);
    lake_buf_printf(&b, "%s\nrun\t%s\nstaging\t%s\nstate\t%s\n", JOURNAL_MAGIC, j->run_id,
                    j->staging, j->abort ? "abort" : "commit");
    for (size_t i = 0; i < j->n; i++) {
        const eng_move *m = &j->moves[i];
        lake_buf_printf(&b, "%s\t%s%s%s\n", kind_names[m->kind], m->rel, m->witness ? "\t" : "",
                        m->witness ? m->witness : "");
    }
    lake_rc rc = step(ud, err);
    if (!rc)
        rc = lake_store_put(out, ENG_JOURNAL_KEY, b.data, b.len, err);
    if (rc)
        lake_error_prefix(err, "writing the commit journal %s: ", ENG_JOURNAL_KEY);
    lake_buf_free(&b);
    return rc;
}

/* Splits line at tabs into at most 3 fields; returns how many. */
static int split(char *line, char **f) {
    int n = 0;
    for (char *p = line; n < 3;) {
        f[n++] = p;
        p = strchr(p, '\t');
        if (!p)
            break;
        *p++ = '\0';
    }
    return n;
}

static lake_rc parse_line(eng_journal *j, char *line, size_t no, lake_error *err) {
    char *f[3] = {0};
    int n = split(line, f);
    if (n == 2 && !strcmp(f[0], "run"))
        j->run_id = lake_xstrdup(f[1]);
    else if (n == 2 && !strcmp(f[0], "staging"))
        j->staging = lake_xstrdup(f[1]);
    else if (n == 2 && !strcmp(f[0], "state") &&
             (!strcmp(f[1], "commit") || !strcmp(f[1], "abort")))
        j->abort = !strcmp(f[1], "abort");
    else if (n == 3 && !strcmp(f[0], "swap"))
        eng_journal_add(j, ENG_MOVE_SWAP, f[1], f[2]);
    else if (n == 2 && !strcmp(f[0], "retire"))
        eng_journal_add(j, ENG_MOVE_RETIRE, f[1], NULL);
    else if (n == 3 && !strcmp(f[0], "marker"))
        eng_journal_add(j, ENG_MOVE_MARKER, f[1], f[2]);
    else if (n == 3 && !strcmp(f[0], "publish"))
        eng_journal_add(j, ENG_MOVE_PUBLISH, f[1], f[2]);
    else if (n == 3 && !strcmp(f[0], "clean") && (!strcmp(f[2], "all") || !strcmp(f[2], "written")))
        eng_journal_add(j, ENG_MOVE_CLEAN, f[1], f[2]);
    else if (n == 2 && !strcmp(f[0], "place"))
        eng_journal_add(j, ENG_MOVE_PLACE, f[1], NULL);
    else
        return lake_error_set(err, LAKE_ERR_PARSE, "%s line %zu: unexpected '%s'", ENG_JOURNAL_KEY,
                              no, f[0]);
    return LAKE_OK;
}

static lake_rc parse(eng_journal *j, char *text, lake_error *err) {
    char *save = NULL;
    size_t no = 1;
    char *line = strtok_r(text, "\n", &save);
    if (!line || strcmp(line, JOURNAL_MAGIC))
        return lake_error_set(err, LAKE_ERR_PARSE, "%s line 1: expected '%s'", ENG_JOURNAL_KEY,
                              JOURNAL_MAGIC);
    lake_rc rc = LAKE_OK;
    while (!rc && (line = strtok_r(NULL, "\n", &save)) != NULL)
        rc = parse_line(j, line, ++no, err);
    if (!rc && (!j->run_id || !j->staging))
        rc = lake_error_set(err, LAKE_ERR_PARSE, "%s: no run or staging line", ENG_JOURNAL_KEY);
    return rc;
}

lake_rc eng_journal_read(lake_store *out, eng_journal *j, bool *found, lake_error *err) {
    lake_buf b;
    lake_buf_init(&b);
    memset(j, 0, sizeof *j);
    *found = false;
    lake_rc rc = lake_store_get(out, ENG_JOURNAL_KEY, &b, err);
    if (rc == LAKE_ERR_NOT_FOUND) {
        rc = LAKE_OK;
    } else if (!rc) {
        *found = true;
        lake_buf_putc(&b, '\0');
        rc = parse(j, (char *)b.data, err);
        j->read_back = true;
    }
    if (rc)
        eng_journal_free(j);
    lake_buf_free(&b);
    return rc;
}

lake_rc eng_marker_witness(lake_store *out, const char *rel, char **witness, lake_error *err) {
    char *key = lake_xconcat(rel, "_SUCCESS");
    lake_buf b;
    lake_buf_init(&b);
    lake_rc rc = lake_store_get(out, key, &b, err);
    *witness = NULL;
    if (rc == LAKE_ERR_NOT_FOUND) {
        *witness = lake_xstrdup("none");
        rc = LAKE_OK;
    } else if (!rc) {
        lake_buf_putc(&b, '\0');
        const char *t = (const char *)b.data;
        size_t n = strlen("lake run ");
        bool named = !strncmp(t, "lake run ", n) && strlen(t) == n + 37 && t[n + 36] == '\n';
        *witness = named ? lake_xstrndup(t + n, 36) : lake_xstrdup("empty");
    }
    lake_buf_free(&b);
    free(key);
    return rc;
}

/* Does rel hold this run's version? */
static lake_rc is_new(lake_store *out, const eng_journal *j, const eng_move *m, bool *yes,
                      lake_error *err) {
    char *key = lake_xconcat(m->rel, m->witness);
    lake_rc rc;
    if (strcmp(m->witness, "_SUCCESS")) {
        rc = lake_store_exists(out, key, yes, err);
    } else {
        lake_buf b;
        lake_buf_init(&b);
        char *want = eng_marker_text(j->run_id);
        rc = lake_store_get(out, key, &b, err);
        *yes = !rc && b.len == strlen(want) && !memcmp(b.data, want, b.len);
        if (rc == LAKE_ERR_NOT_FOUND)
            rc = LAKE_OK;
        free(want);
        lake_buf_free(&b);
    }
    free(key);
    return rc;
}

/* PLACE, forward: the staged object still there means it is not in place yet (a crash between
 * the two renames left rel already retired). */
static lake_rc place_forward(lake_store *out, const char *staged, const char *old, const char *rel,
                             eng_step_fn step, void *ud, lake_error *err) {
    bool pending = false, there = false;
    lake_rc rc = lake_store_exists(out, staged, &pending, err);
    if (!rc && pending)
        rc = lake_store_exists(out, rel, &there, err);
    if (!rc && pending && there && !(rc = step(ud, err)))
        rc = lake_store_rename_prefix(out, rel, old, err);
    if (!rc && pending && !(rc = step(ud, err)))
        rc = lake_store_rename_prefix(out, staged, rel, err);
    return rc;
}

/* PLACE, back: an object at rel whose staged copy is gone is this run's, and returns to staging;
 * then the retired one, if any, comes back. */
static lake_rc place_back(lake_store *out, const char *staged, const char *old, const char *rel,
                          eng_step_fn step, void *ud, lake_error *err) {
    bool pending = false, there = false, retired = false;
    lake_rc rc = lake_store_exists(out, staged, &pending, err);
    if (!rc && !pending)
        rc = lake_store_exists(out, rel, &there, err);
    if (!rc && !pending && there && !(rc = step(ud, err)))
        rc = lake_store_rename_prefix(out, rel, staged, err);
    if (!rc)
        rc = lake_store_exists(out, old, &retired, err);
    if (!rc && retired && !(rc = step(ud, err)))
        rc = lake_store_rename_prefix(out, old, rel, err);
    return rc;
}

static lake_rc place(lake_store *out, const eng_journal *j, const eng_move *m, bool forward,
                     eng_step_fn step, void *ud, lake_error *err) {
    char *staged = lake_xconcat(j->staging, m->rel),
         *old = lake_xconcat(j->staging, "_old/", m->rel);
    lake_rc rc = forward ? place_forward(out, staged, old, m->rel, step, ud, err)
                         : place_back(out, staged, old, m->rel, step, ud, err);
    free(staged);
    free(old);
    return rc;
}

static lake_rc forward_one(lake_store *out, const eng_journal *j, const eng_move *m,
                           eng_step_fn step, void *ud, lake_error *err) {
    bool yes = false;
    char *staged = lake_xconcat(j->staging, m->kind == ENG_MOVE_RETIRE ? "_old/" : "", m->rel);
    lake_rc rc = LAKE_OK;
    if (m->kind == ENG_MOVE_PLACE) {
        rc = place(out, j, m, true, step, ud, err);
    } else if (m->kind == ENG_MOVE_SWAP) {
        rc = is_new(out, j, m, &yes, err);
        if (!rc && !yes && !(rc = step(ud, err)))
            rc = lake_store_swap_prefix(out, staged, m->rel, err);
    } else if (m->kind == ENG_MOVE_RETIRE) {
        rc = lake_store_exists(out, m->rel, &yes, err);
        if (!rc && yes && !(rc = step(ud, err)))
            rc = lake_store_rename_prefix(out, m->rel, staged, err);
    } else {
        char *key = lake_xconcat(m->rel, "_SUCCESS"), *text = eng_marker_text(j->run_id);
        if (!(rc = step(ud, err)))
            rc = lake_store_put(out, key, text, strlen(text), err);
        free(key);
        free(text);
    }
    if (rc)
        lake_error_prefix(err, "committing %s: ", m->rel);
    free(staged);
    return rc;
}

/* A marker this run wrote goes back to what it was (m->witness). */
static lake_rc restore_marker(lake_store *out, const eng_journal *j, const eng_move *m,
                              eng_step_fn step, void *ud, lake_error *err) {
    eng_move mine = {ENG_MOVE_SWAP, m->rel, "_SUCCESS"};
    bool written = false;
    lake_rc rc = is_new(out, j, &mine, &written, err);
    if (rc || !written || (rc = step(ud, err)) != LAKE_OK)
        return rc;
    char *key = lake_xconcat(m->rel, "_SUCCESS");
    if (!strcmp(m->witness, "none")) {
        rc = lake_store_delete(out, key, err);
    } else {
        char *text = strcmp(m->witness, "empty") ? eng_marker_text(m->witness) : lake_xstrdup("");
        rc = lake_store_put(out, key, text, strlen(text), err);
        free(text);
    }
    free(key);
    return rc;
}

/* Puts the previous version of a swapped rel back (the new one returns to staging). */
static lake_rc back_one(lake_store *out, const eng_journal *j, const eng_move *m, eng_step_fn step,
                        void *ud, lake_error *err) {
    bool yes = false, there = false;
    char *staged = lake_xconcat(j->staging, m->kind == ENG_MOVE_RETIRE ? "_old/" : "", m->rel);
    lake_rc rc = LAKE_OK;
    if (m->kind == ENG_MOVE_PLACE) {
        rc = place(out, j, m, false, step, ud, err);
    } else if (m->kind == ENG_MOVE_SWAP) {
        rc = is_new(out, j, m, &yes, err);
        if (!rc && yes)
            rc = lake_store_exists(out, staged, &there, err);
        if (!rc && yes && !(rc = step(ud, err)))
            rc = there ? lake_store_swap_prefix(out, staged, m->rel, err)
                       : lake_store_rename_prefix(out, m->rel, staged, err);
    } else if (m->kind == ENG_MOVE_RETIRE) {
        rc = lake_store_exists(out, staged, &yes, err);
        if (!rc && yes && !(rc = step(ud, err)))
            rc = lake_store_rename_prefix(out, staged, m->rel, err);
    } else {
        rc = restore_marker(out, j, m, step, ud, err);
    }
    if (rc)
        lake_error_prefix(err, "undoing the commit of %s: ", m->rel);
    free(staged);
    return rc;
}

/* How many PUBLISH moves follow from i on. */
static size_t publish_run(const eng_journal *j, size_t i) {
    size_t k = i;
    while (k < j->n && j->moves[k].kind == ENG_MOVE_PUBLISH)
        k++;
    return k - i;
}

lake_rc eng_journal_forward(lake_store *out, const eng_journal *j, eng_step_fn step, void *ud,
                            lake_error *err) {
    lake_rc rc = LAKE_OK;
    for (size_t i = 0; i < j->n && !rc; i++) {
        size_t np = publish_run(j, i);
        if (np) {
            rc = eng_publish_forward(out, j, j->moves + i, np, step, ud, err);
            i += np - 1;
        } else if (j->moves[i].kind != ENG_MOVE_CLEAN) {
            rc = forward_one(out, j, &j->moves[i], step, ud, err);
        }
    }
    return rc;
}

lake_rc eng_journal_back(lake_store *out, const eng_journal *j, eng_step_fn step, void *ud,
                         lake_error *err) {
    lake_rc rc = LAKE_OK;
    for (size_t i = j->n; i > 0 && !rc; i--) {
        const eng_move *m = &j->moves[i - 1];
        if (m->kind == ENG_MOVE_PUBLISH) {
            size_t first = i - 1;
            while (first > 0 && j->moves[first - 1].kind == ENG_MOVE_PUBLISH)
                first--;
            rc = eng_publish_back(out, j->moves + first, i - first, step, ud, err);
            i = first + 1;
        } else if (m->kind != ENG_MOVE_CLEAN) {
            rc = back_one(out, j, m, step, ud, err);
        }
    }
    return rc;
}
