#!/usr/bin/env python3
"""Pull items out of JSON feed archives (osmosfeed caches, aggregator bots' data files, AWS blog
lists...) in mirrored git repositories, one pool per repository, in the row shape draw.py reads.
Written by a helper during the broad draw; run as: python tools/labelling/extract_json_archives.py NAME
(NAME: a function below, e.g. aws, or: osmos OWNER+REPO). Mirrors are read from /work/.mirror."""
import sys, json, re, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from archive_common import *  # noqa: F403

M = os.environ.get('SIGNALS_MIRRORS_DIR', '/work/.mirror')  # bare git mirrors, one per repository


def loadj(b):
    try:
        return json.loads(b)
    except Exception:
        return None


def websec():
    name = 'websecnews+websecnews.github.io'
    R = f'{M}/{name}/repo'
    P = Pool(name)
    for path in ['states/blogs_today.json', 'states/blogs_yesterday.json',
                 'states/advisories_today.json', 'states/advisories_yesterday.json']:
        for sha, cd in sample(log(R, 'HEAD', path), 40):
            d = loadj(show(R, sha, path))
            if not isinstance(d, dict):
                continue
            for feed, items in d.items():
                if not isinstance(items, list):
                    continue
                for it in items:
                    e = it.get('entry') or {}
                    fd = it.get('fetchDate')
                    P.add(feed, e.get('title'), '', e.get('link'), None, path, sha, cd) if not fd else \
                        P.add(feed, e.get('title'), '', e.get('link'), fd, path, sha, cd, date_source='fetch')
    P.write()


def osmos(name, branch='gh-pages', path='cache.json', yaml_ref=None):
    R = f'{M}/{name}/repo'
    P = Pool(name)
    # yaml titles across the yaml's history (a title: key wins over the feed's own title)
    ytitles = {}
    shas = git(R, 'log', '--all', '--format=%H', '--', 'osmosfeed.yaml').decode().split()
    for ref in shas[::-1]:
        y = show(R, ref, 'osmosfeed.yaml').decode('utf-8', 'replace')
        cur = None
        for line in y.splitlines():
            m = re.match(r'\s*-\s*href:\s*(\S+)', line)
            if m:
                cur = m.group(1).strip()
                continue
            m2 = re.match(r'\s*title:\s*["\']?(.+?)["\']?\s*$', line)
            if m2 and cur:
                ytitles[cur] = m2.group(1)
    canon = {}
    for sha, cd in sample(log(R, branch, path), 40):
        d = loadj(show(R, sha, path))
        if not isinstance(d, dict):
            continue
        for s in d.get('sources', []):
            fu = (s.get('feedUrl') or '') + ' ' + (s.get('siteUrl') or '')
            ft = s.get('title') or ''
            if 'Release notes from osmosfeed' in ft or 'osmoscraft/osmosfeed' in fu or 'reddit.com' in fu:
                continue
            url = (s.get('feedUrl') or '').strip()
            ft = ytitles.get(url) or canon.get(url) or re.sub(r'\s+vom\s+\d{1,2}\.\s+\w+\s+\d{4}\s*$', '', ft)
            if url and ft:
                canon.setdefault(url, ft)
            gnews = 'news.google.com' in url
            for a in s.get('articles', []):
                t = a.get('title') or ''
                f2 = ft
                summ = a.get('description') or a.get('content') or ''
                if gnews and ' - ' in t:
                    t, f2 = t.rsplit(' - ', 1)
                    if plain(summ).startswith(plain(t)[:40]):
                        summ = ''  # Google News description only repeats the title + source
                P.add(f2, t, summ, a.get('link') or a.get('id'), a.get('publishedOn'), path, sha, cd)
    P.write()


def fgadget():
    name = 'FutureGadget+ai-sota-feed-bot'
    R = f'{M}/{name}/repo'
    P = Pool(name)
    names = {
        'anthropic_newsroom': 'Anthropic Newsroom', 'anthropic_research': 'Anthropic Research',
        'anthropic_engineering': 'Anthropic Engineering', 'claude_blog': 'Claude Blog',
        'openai_blog': 'OpenAI Blog', 'huggingface_blog': 'Hugging Face Blog',
        'hackernews_ai': 'Hacker News', 'simon_willison': "Simon Willison's Weblog",
        'langchain_blog': 'LangChain Blog', 'google_ai_blog': 'Google AI Blog',
        'aws_ml_blog': 'AWS Machine Learning Blog', 'latent_space': 'Latent Space',
        'nvidia_blog': 'NVIDIA Blog', 'infoq_ai_ml': 'InfoQ AI, ML & Data Engineering',
        'vllm_releases': 'vLLM Releases', 'triton_releases': 'Triton Releases',
        'llamaindex_releases': 'LlamaIndex Releases', 'langgraph_releases': 'LangGraph Releases',
        'openai_codex_releases': 'OpenAI Codex Releases', 'claude_code_releases': 'Claude Code Releases',
        'claude_agent_sdk_python_releases': 'Claude Agent SDK (Python) Releases',
        'calv_info': 'calv.info', 'addyosmani_blog': 'Addy Osmani Blog',
    }

    def fname(s):
        if s in names:
            return names[s]
        m = re.match(r'arxiv_(\w+?)_(\w+)$', s)
        if m:
            return f'arXiv {m.group(1)}.{m.group(2).upper()}'
        if s.startswith('search_'):
            return None  # web-search results, no real feed
        return s.replace('_', ' ').title()

    files = [f for f in ls(R, 'HEAD', 'data/raw') if f.endswith('items.json')]
    for path in sorted(files):
        rows = log(R, 'HEAD', path)
        if not rows:
            continue
        sha, cd = rows[-1]
        d = loadj(show(R, sha, path))
        if not isinstance(d, list):
            continue
        for it in d:
            ft = fname(it.get('source') or '')
            if not ft:
                continue
            P.add(ft, it.get('title'), it.get('summary'), it.get('url'), it.get('published'), path, sha, cd)
    P.write()


def aws():
    name = 'tsypuk+aws-news'
    R = f'{M}/{name}/repo'
    P = Pool(name)
    special = {'aws_news': 'AWS News Blog', 'aws_marketplace': 'AWS Marketplace Blog',
               'aws_partner_network': 'AWS Partner Network (APN) Blog',
               'aws_cost_management': 'AWS Cloud Financial Management Blog',
               'machine_learning': 'AWS Machine Learning Blog', 'hpc': 'AWS HPC Blog', 'sap': 'AWS for SAP Blog',
               'security_identity_complience': 'AWS Security Blog', 'front-end_web_mobile': 'AWS Front-End Web & Mobile Blog',
               'internet_of_things': 'AWS Internet of Things Blog', 'big_data': 'AWS Big Data Blog',
               'devops': 'AWS DevOps Blog', 'infra_and_automation': 'AWS Infrastructure & Automation Blog',
               'networking_and_content_delivery': 'AWS Networking & Content Delivery Blog',
               'game_tech': 'AWS Game Tech Blog', 'windows_on_aws': 'AWS Microsoft Workloads Blog',
               'desktop_and_application_streaming': 'AWS Desktop & Application Streaming Blog',
               'training_certification': 'AWS Training & Certification Blog',
               'messaging_and_targeting': 'AWS Messaging & Targeting Blog',
               'contact_center': 'AWS Contact Center Blog', 'enterprise_strategy': 'AWS Enterprise Strategy Blog',
               'business_productivity': 'AWS Business Productivity Blog', 'public_sector': 'AWS Public Sector Blog',
               'open_source': 'AWS Open Source Blog', 'quantum_computing': 'AWS Quantum Technologies Blog'}
    files = sorted(f for f in ls(R, 'HEAD', 'news') if f.endswith('.json'))
    for path in files:
        b = os.path.basename(path)[:-5]
        ft = special.get(b) or 'AWS ' + b.replace('_', ' ').title() + ' Blog'
        # every version (cheap here): published = first commit containing the item
        for sha, cd in log(R, 'HEAD', path):
            d = loadj(show(R, sha, path))
            if not isinstance(d, list):
                continue
            for it in d:
                P.add(ft, it.get('title'), '', it.get('link'), None, path, sha, cd, date_source='commit')
    P.write()


def flyryan():
    name = 'flyryan+ai-news-aggregator'
    R = f'{M}/{name}/repo'
    P = Pool(name)
    files = sorted(f for f in ls(R, 'HEAD', 'web/data') if f.endswith('/news.json') or f.endswith('/research.json'))
    data = []
    for path in files:
        rows = log(R, 'HEAD', path)
        if not rows:
            continue
        sha, cd = rows[-1]
        d = loadj(show(R, sha, path))
        if not isinstance(d, dict):
            continue
        data.append((path, sha, cd, d.get('items') or []))
    import collections
    rc = collections.Counter()
    for path, sha, cd, items in data:
        if path.endswith('research.json'):
            rc.update(i.get('source') for i in items if i.get('source'))
    allowed = {s for s, _ in rc.most_common(15)}
    for path, sha, cd, items in data:
        res = path.endswith('research.json')
        for it in items:
            src = it.get('source') or ''
            st = (it.get('source_type') or '').lower()
            if 'reddit' in st or 'social' in st or 'reddit' in src.lower() or st in ('twitter', 'bluesky', 'x', 'mastodon'):
                continue
            if res and src not in allowed:
                continue
            summ = it.get('content') or it.get('content_html') or ''
            P.add(src, it.get('title'), summ, it.get('url'), it.get('published'), path, sha, cd)
    P.write()


def mibuhand():
    name = 'mibuhand+AI-News-Direct'
    R = f'{M}/{name}/repo'
    P = Pool(name)
    names = {'aibase_daily': 'AIbase Daily', 'anthropic_engineering': 'Anthropic Engineering',
             'anthropic_news': 'Anthropic News', 'anthropic_research': 'Anthropic Research',
             'artificial_analysis': 'Artificial Analysis', 'bytedance_seed_blog': 'ByteDance Seed Blog',
             'bytedance_seed_research': 'ByteDance Seed Research', 'deeplearning_ai_batch': 'The Batch (DeepLearning.AI)',
             'deepseek_news': 'DeepSeek News', 'hackernews_best_stories': 'Hacker News Best Stories',
             'huggingface_daily_papers': 'Hugging Face Daily Papers', 'meta_ai_news': 'Meta AI News',
             'minimax_blog': 'MiniMax Blog', 'moonshot_blog': 'Moonshot AI Blog', 'z_ai_blog': 'Z.ai Blog'}
    files = sorted(f for f in ls(R, 'HEAD', 'data/parsed') if f.endswith('.json'))
    allfiles = set()
    for f in git(R, 'log', '--all', '--name-only', '--format=', '--', 'data/parsed').decode().splitlines():
        if f.endswith('.json'):
            allfiles.add(f)
    for path in sorted(allfiles):
        b = os.path.basename(path)[:-5]
        if b.startswith('github_trend') or b.startswith('huggingface_trending') or b == 'huggingface':
            continue
        names.update({'thinkingmachines_blog': 'Thinking Machines Lab Blog', 'openai_research': 'OpenAI Research'})
        fixed = names.get(b)
        for sha, cd in sample(log(R, 'HEAD', path), 40):
            d = loadj(show(R, sha, path))
            if isinstance(d, dict):
                d = d.get('items') or d.get('articles') or []
            if not isinstance(d, list):
                continue
            for it in d:
                if not isinstance(it, dict) or it.get('type') == 'activity':
                    continue
                ft = fixed
                if not ft:
                    org = it.get('organization') or it.get('source') or ''
                    if not org or '_' in org:
                        continue
                    typ = it.get('type') or ''
                    ft = 'Google Blog' if 'blog.google' in (it.get('url') or '') else 'Google DeepMind Blog' if 'deepmind.google' in (it.get('url') or '') else org + (' News' if typ == 'news' else ' Research' if typ in ('publication', 'research') else ' Blog' if typ == 'blog' else '')
                P.add(ft, it.get('title'), it.get('description'), it.get('url'), it.get('published_date'), path, sha, cd)
    P.write()


def sentry():
    name = 'ricomanifesto+SentryDigest'
    R = f'{M}/{name}/repo'
    P = Pool(name)
    path = 'news-data.json'
    for sha, cd in sample(log(R, 'HEAD', path), 40):
        d = loadj(show(R, sha, path))
        if isinstance(d, dict):
            d = d.get('articles') or d.get('items') or []
        if not isinstance(d, list):
            continue
        for it in d:
            P.add(it.get('source'), it.get('title'), it.get('summary'), it.get('link'), it.get('date'), path, sha, cd)
    P.write()


def depodefi():
    import feedparser
    name = 'depodefi+rss-miner'
    R = f'{M}/{name}/repo'
    P = Pool(name)
    paths = set()
    for f in git(R, 'log', '--all', '--name-only', '--format=', '--').decode().splitlines():
        if f.endswith('.xml') and (f.startswith('feed/') or '/' not in f):
            paths.add(f)
    for path in sorted(paths):
        for ref in ['HEAD', 'gh-pages']:
            rows = log(R, ref, path)
            for sha, cd in sample(rows, 40):
                fp = feedparser.parse(show(R, sha, path))
                ft = fp.feed.get('title') or os.path.basename(path)[:-4].title()
                for e in fp.entries:
                    pub = None
                    for k in ('published_parsed', 'updated_parsed'):
                        if e.get(k):
                            import calendar, datetime
                            pub = datetime.datetime.fromtimestamp(calendar.timegm(e[k]), datetime.timezone.utc).isoformat()
                            break
                    summ = e.get('summary') or ''
                    P.add(ft, e.get('title'), summ, e.get('link'), pub, path, sha, cd)
    P.write()


if __name__ == '__main__':
    which = sys.argv[1]
    if which == 'osmos':
        osmos(sys.argv[2], *(sys.argv[3:]))
    else:
        globals()[which]()
