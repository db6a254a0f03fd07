"""Helpers of extract_json_archives.py: git reads, HTML to text, and the pool writer."""
import json, re, subprocess, html, os, sys
from html.parser import HTMLParser

# where pools are written (one JSONL per repository)
OUT = os.environ.get('SIGNALS_POOLS_DIR', '/work/labelling/pools2')


def git(repo, *args):
    return subprocess.run(['git', '-C', repo, *args], capture_output=True, check=False).stdout


def show(repo, commit, path):
    return git(repo, 'show', f'{commit}:{path}')


def log(repo, ref, path):
    """list of (sha, iso date) oldest first"""
    out = git(repo, 'log', '--format=%H\t%cI', ref, '--', path).decode()
    rows = [l.split('\t') for l in out.splitlines() if l.strip()]
    return rows[::-1]


def sample(rows, n=40):
    if len(rows) <= n:
        return rows
    idx = sorted({round(i * (len(rows) - 1) / (n - 1)) for i in range(n)})
    return [rows[i] for i in idx]


def ls(repo, ref, path=''):
    args = ['ls-tree', '-r', '--name-only', ref]
    if path:
        args += ['--', path]
    return git(repo, *args).decode().splitlines()


class _Strip(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ('script', 'style'):
            self.skip += 1
        elif tag in ('p', 'br', 'div', 'li', 'h1', 'h2', 'h3', 'h4', 'tr'):
            self.parts.append(' ')

    def handle_endtag(self, tag):
        if tag in ('script', 'style') and self.skip:
            self.skip -= 1
        elif tag in ('p', 'div', 'li', 'h1', 'h2', 'h3', 'h4', 'tr'):
            self.parts.append(' ')

    def handle_data(self, d):
        if not self.skip:
            self.parts.append(d)


def plain(s):
    if s is None:
        return ''
    if not isinstance(s, str):
        s = str(s)
    if '<' in s and '>' in s:
        p = _Strip()
        try:
            p.feed(s)
            p.close()
            s = ''.join(p.parts)
        except Exception:
            s = re.sub(r'<[^>]+>', ' ', s)
    s = html.unescape(html.unescape(s)) if '&' in s else s
    s = s.replace('\u00a0', ' ')
    s = re.sub(r'\s+', ' ', s).strip()
    return s


def cut(s, n=600):
    s = plain(s)
    if len(s) <= n:
        return s
    c = s[:n]
    sp = c.rfind(' ')
    if sp > n * 0.5:
        c = c[:sp]
    return c.rstrip(' ,;:-')


def norm_date(d):
    """return ISO string or None"""
    if d is None or d == '':
        return None
    if isinstance(d, (int, float)):
        import datetime
        x = d / 1000 if d > 1e11 else d
        try:
            return datetime.datetime.fromtimestamp(x, datetime.timezone.utc).isoformat()
        except Exception:
            return None
    d = str(d).strip()
    if re.match(r'^\d{4}-\d{2}-\d{2}', d):
        return d.replace(' ', 'T', 1) if re.match(r'^\d{4}-\d{2}-\d{2} \d', d) else d
    try:
        from email.utils import parsedate_to_datetime
        return parsedate_to_datetime(d).isoformat()
    except Exception:
        pass
    try:
        from dateutil import parser
        return parser.parse(d).isoformat()
    except Exception:
        return None


class Pool:
    def __init__(self, owner_name):
        self.repo = owner_name.replace('+', '/', 1)
        self.path = os.path.join(OUT, owner_name + '.jsonl')
        self.seen = set()
        self.rows = []

    def add(self, feed_title, title, summary, link, published, path, commit, commit_date, date_source=None):
        feed_title = plain(feed_title)
        title = plain(title)
        if not title or not feed_title:
            return False
        link = (link or '').strip()
        key = (feed_title, 'L:' + link) if link else (feed_title, 'T:' + title.lower())
        if key in self.seen:
            return False
        self.seen.add(key)
        pub = norm_date(published)
        row = {'feed_title': feed_title, 'title': title, 'summary': cut(summary), 'link': link,
               'published': pub, 'origin_repo': self.repo, 'origin_path': path,
               'origin_commit': commit, 'origin_commit_date': commit_date}
        if pub is None:
            row['published'] = commit_date
            row['date_source'] = date_source or 'commit'
        elif date_source:
            row['date_source'] = date_source
        self.rows.append(row)
        return True

    def write(self):
        tmp = self.path + '.tmp'
        with open(tmp, 'w', encoding='utf-8') as f:
            for r in self.rows:
                f.write(json.dumps(r, ensure_ascii=False) + '\n')
        os.replace(tmp, self.path)
        print(self.path, len(self.rows), file=sys.stderr)
