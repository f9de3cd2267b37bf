package main

import (
	"strings"
	"text/tabwriter"

	"go.yaml.in/yaml/v3"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/library"
)

// KBCmd groups the knowledge-base commands.
type KBCmd struct {
	Import KBImportCmd `cmd:"" help:"Add or update articles from a YAML file or a directory of them (by slug; prints what changed; one transaction)."`
	Export KBExportCmd `cmd:"" help:"Print articles as YAML (the format import reads): the named ones, or all."`
	List   KBListCmd   `cmd:"" help:"List the articles."`
}

// articleFile is the YAML format: a list of articles (docs/knowledge-base.md).
type articleFile struct {
	Articles []articleYAML `yaml:"articles"`
}

type articleYAML struct {
	Slug       string                        `yaml:"slug"`
	State      string                        `yaml:"state"`
	Categories []string                      `yaml:"categories,omitempty"`
	Variants   map[string]articleVariantYAML `yaml:"variants"`
}

type articleVariantYAML struct {
	Title string `yaml:"title"`
	Body  string `yaml:"body"`
}

// KBImportCmd imports articles.
type KBImportCmd struct {
	DBFlags
	Path    string `arg:"" optional:"" help:"A .yaml file, or a directory of them." type:"path"`
	Starter bool   `name:"starter" help:"Import the starter library's articles shipped with Haven instead of PATH."`
}

// Run reads and checks every file first (a bad file changes nothing), then saves in one transaction.
func (c *KBImportCmd) Run(e *env) error {
	return importFiles(e, &c.DBFlags, c.inputs, func(a *app, ins []haven.ArticleInput) (map[string]string, error) {
		return a.svc.ImportArticlesAsSystem(e.ctx, ins)
	})
}

// inputs reads PATH, or the starter library's articles.
func (c *KBImportCmd) inputs() ([]haven.ArticleInput, error) {
	if c.Starter {
		return starterInputs(library.Articles, parseArticles)
	}
	if c.Path == "" {
		return nil, haven.Errorf(haven.EINVALID, "name a file or a directory, or pass --starter")
	}
	return readYAMLInputs(c.Path, parseArticles)
}

// parseArticles reads the YAML format strictly (unknown keys, aliases and oversized files are
// refused) and validates each article's fields; the Markdown is checked by the import itself.
func parseArticles(raw []byte) ([]haven.ArticleInput, error) {
	var f articleFile
	if err := decodeYAMLFile(raw, "article", &f); err != nil {
		return nil, err
	}
	out := make([]haven.ArticleInput, 0, len(f.Articles))
	for _, y := range f.Articles {
		in := haven.ArticleInput{Slug: y.Slug, State: haven.ArticleState(y.State), Categories: y.Categories,
			Variants: map[string]haven.ArticleVariant{}}
		for lang, v := range y.Variants {
			in.Variants[lang] = haven.ArticleVariant{Title: v.Title, Body: v.Body}
		}
		in.Normalize()
		if err := in.Validate(); err != nil {
			return nil, haven.Errorf(haven.EINVALID, "article %q: %s", y.Slug, fieldErrors(err))
		}
		out = append(out, in)
	}
	return out, nil
}

// KBExportCmd prints articles.
type KBExportCmd struct {
	DBFlags
	Slugs []string `arg:"" optional:"" help:"The articles' slugs; none prints every article."`
}

// Run prints the current version of each article, drafts included, in the import format.
func (c *KBExportCmd) Run(e *env) (err error) {
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	var f articleFile
	err = a.db.View(e.ctx, func(tx haven.Tx) error {
		arts, err := c.articles(e, tx)
		for _, art := range arts {
			f.Articles = append(f.Articles, articleToYAML(art))
		}
		return err
	})
	if err != nil {
		return err
	}
	out, err := yaml.Marshal(&f)
	if err != nil {
		return haven.Internal("export articles", err)
	}
	_, err = e.stdout.Write(out)
	return err
}

func (c *KBExportCmd) articles(e *env, tx haven.Tx) ([]*haven.Article, error) {
	if len(c.Slugs) == 0 {
		return allArticles(e, tx)
	}
	var out []*haven.Article
	for _, slug := range c.Slugs {
		art, err := tx.ArticleBySlug(e.ctx, slug)
		if err != nil {
			return nil, err
		}
		out = append(out, art)
	}
	return out, nil
}

// allArticles reads every article, drafts included, by slug, a page at a time.
func allArticles(e *env, tx haven.Tx) ([]*haven.Article, error) {
	var all []*haven.Article
	f := haven.ArticleFilter{Drafts: true, Limit: haven.MaxLimit}
	for {
		page, err := tx.FindArticles(e.ctx, f)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < f.Limit {
			return all, nil
		}
		f.After = page[len(page)-1].Slug
	}
}

func articleToYAML(a *haven.Article) articleYAML {
	y := articleYAML{Slug: a.Slug, State: string(a.State), Categories: a.Categories, Variants: map[string]articleVariantYAML{}}
	for lang, v := range a.Variants {
		y.Variants[lang] = articleVariantYAML{Title: v.Title, Body: v.Body}
	}
	return y
}

// KBListCmd lists articles.
type KBListCmd struct{ DBFlags }

// Run prints one article a line, drafts included.
func (c *KBListCmd) Run(e *env) (err error) {
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	var arts []*haven.Article
	if err := a.db.View(e.ctx, func(tx haven.Tx) (err error) {
		arts, err = allArticles(e, tx)
		return err
	}); err != nil {
		return err
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	e.fprintln(w, "SLUG\tSTATE\tVERSION\tCATEGORIES\tTITLE")
	for _, art := range arts {
		e.fprintf(w, "%s\t%s\t%d\t%s\t%s\n", art.Slug, art.State, art.Version, strings.Join(art.Categories, ","), art.Variants["en"].Title)
	}
	return w.Flush()
}
