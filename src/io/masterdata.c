/* masterdata — owns the list of master data files, the order they are
 * loaded in (regions, then the finish that links them, then populations,
 * which need the finished tree), and nothing else: parsing is region's,
 * reading is file's, and loading an election over the tree. See masterdata.h. */
#include "io/masterdata.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/file.h"

typedef int (*masterdata_parser)(region_tree *t, const char *buf, size_t len,
                                 const char *source, err_info *e);

/* Read <dir>/<name> and hand it to `parse`, naming the file in errors. */
static int masterdata_file(region_tree *t, const char *dir, const char *name,
                           masterdata_parser parse, err_info *e)
{
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof path)
        return err_set(e, ERR_LIMIT, "MASTERDATA_PATH", name,
                       "the master data directory name is too long");
    char *buf;
    size_t len;
    int rc = file_read_all(path, MASTERDATA_FILE_MAX, &buf, &len, e);
    if (rc < 0)
        return rc;
    rc = parse(t, buf, len, path, e);
    free(buf);
    return rc;
}

static int masterdata_fill(region_tree *t, const char *dir, err_info *e)
{
    int rc;
    if ((rc = masterdata_file(t, dir, "wilayah.csv", region_add_csv, e)) < 0 ||
        (rc = masterdata_file(t, dir, "luarnegeri.csv", region_add_csv, e)) < 0 ||
        (rc = region_tree_finish(t, e)) < 0 ||
        (rc = masterdata_file(t, dir, "penduduk.csv", region_set_population_csv, e)) < 0)
        return rc;
    return masterdata_file(t, dir, "luarnegeri_penduduk.csv",
                           region_set_population_csv, e);
}

int masterdata_load(const char *dir, region_tree **out, err_info *e)
{
    region_tree *t = region_tree_new();
    int rc = masterdata_fill(t, dir, e);
    if (rc < 0) {
        region_tree_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

int masterdata_load_election(const char *data_dir, const char *path, election **out,
                             err_info *e)
{
    region_tree *tree = NULL;
    char *buf = NULL;
    size_t len = 0;
    int rc = masterdata_load(data_dir, &tree, e);
    if (rc < 0)
        return rc;
    rc = file_read_all(path, MASTERDATA_ELECTION_MAX, &buf, &len, e);
    if (rc < 0) {
        region_tree_free(tree);
        return rc;
    }
    rc = election_parse(buf, len, tree, out, e); /* frees the tree on error */
    free(buf);
    if (rc < 0 && e) { /* e->where is a JSON path inside the file: name the file */
        char where[sizeof e->where];
        int n = snprintf(where, sizeof where, "%s: %s", path, e->where);
        if (n > 0 && (size_t)n < sizeof where)
            memcpy(e->where, where, sizeof where);
    }
    return rc;
}
