/**
 * FAQ collections: named lists of question-answer pairs an agent answers from. Admins create collections, add, edit
 * and delete pairs, rename and delete collections (refused with 409 while an agent uses one); members read.
 */
import { useState } from 'preact/hooks';
import { api, query, type Json, type Page } from '../api';
import type { PageProps } from '../app';
import { link, navigate } from '../router';
import { ActionButton, ErrorNote, Form, Loading, Notice, PageHeader, Pager, Section, Table, TextField, formatDate, useLoad } from '../ui';
import { useProjectId, useWorkspace } from '../workspace';
import { bareEtag } from './agents';
import './faqs.css';

const MAX_PAIRS = 50;

export function FaqsPage(props: PageProps) {
  const id = props.path[0];
  return id === undefined ? <FaqList /> : <FaqDetail id={id} />;
}

interface PairDraft {
  readonly key: number;
  question: string;
  answer: string;
}

let pairKeys = 0;

function FaqList() {
  const project = useProjectId();
  const { isAdmin } = useWorkspace();
  const [pageIndex, setPageIndex] = useState(0);
  const faqs = useLoad(() => api<Page<Json>>('GET', `/public/faqs${query({ pageIndex, pageSize: 20 })}`, { project }), [project, pageIndex]);
  const [name, setName] = useState('');
  const [pairs, setPairs] = useState<PairDraft[]>([{ key: ++pairKeys, question: '', answer: '' }]);
  const setPair = (key: number, field: 'question' | 'answer', value: string): void => setPairs((list) => list.map((p) => (p.key === key ? { ...p, [field]: value } : p)));

  return (
    <>
      <PageHeader title="FAQs" description="Question-answer pairs that agents use to answer the questions your users ask most." />
      <Section title="FAQ collections">
        <ErrorNote error={faqs.error} />
        {faqs.data === undefined ? (
          faqs.error === undefined ? <Loading what="FAQ collections" /> : null
        ) : (
          <>
            <Table caption="FAQ collections" headers={['Name', 'Pairs', 'Updated']} rows={faqs.data.items.length} empty="No FAQ collections yet.">
              {faqs.data.items.map((collection) => (
                <tr key={collection.id}>
                  <td>
                    <a href={link('faqs', collection.id)}>{collection.name}</a>
                  </td>
                  <td>{collection.items?.length ?? 0}</td>
                  <td>{formatDate(collection.updated)}</td>
                </tr>
              ))}
            </Table>
            <Pager pageIndex={faqs.data.pageIndex} pageSize={faqs.data.pageSize} filteredCount={faqs.data.filteredCount} onPage={setPageIndex} />
          </>
        )}
      </Section>
      {isAdmin ? (
        <Section title="New FAQ collection">
          <Form
            label="New FAQ collection"
            submitLabel="Create FAQ collection"
            onSubmit={async () => {
              const filled = pairs.filter((p) => p.question.trim() !== '' || p.answer.trim() !== '');
              const incomplete = filled.findIndex((p) => p.question.trim() === '' || p.answer.trim() === '');
              if (incomplete >= 0) throw new Error(`Pair ${pairs.indexOf(filled[incomplete]!) + 1} needs both a question and an answer.`);
              const created = await api('POST', '/public/faqs', {
                project,
                body: { name: name.trim(), faqs: filled.map((p) => ({ question: p.question.trim(), answer: p.answer.trim() })) },
              });
              navigate('faqs', created.id);
            }}
          >
            <TextField label="Name" required value={name} onInput={setName} />
            <fieldset class="faq-pairs">
              <legend>First pairs (optional)</legend>
              {pairs.map((pair, index) => (
                <div class="faq-pair" key={pair.key}>
                  <TextField label={index === 0 ? 'Question' : `Question ${index + 1}`} value={pair.question} onInput={(v) => setPair(pair.key, 'question', v)} />
                  <TextField label={index === 0 ? 'Answer' : `Answer ${index + 1}`} multiline rows={3} value={pair.answer} onInput={(v) => setPair(pair.key, 'answer', v)} />
                  {pairs.length > 1 ? (
                    <button type="button" class="plain" onClick={() => setPairs((list) => list.filter((p) => p.key !== pair.key))}>
                      Remove pair {index + 1}
                    </button>
                  ) : null}
                </div>
              ))}
              <button
                type="button"
                class="plain"
                disabled={pairs.length >= MAX_PAIRS}
                onClick={() => setPairs((list) => [...list, { key: ++pairKeys, question: '', answer: '' }])}
              >
                Add another pair
              </button>
            </fieldset>
          </Form>
        </Section>
      ) : (
        <Notice>You are a member of this organization: FAQ collections are read-only for you.</Notice>
      )}
    </>
  );
}

function FaqDetail(props: { id: string }) {
  const project = useProjectId();
  const { isAdmin } = useWorkspace();
  const path = `/public/faqs/${encodeURIComponent(props.id)}`;
  const collection = useLoad(() => api('GET', path, { project }), [project, props.id]);
  const [editing, setEditing] = useState<Json>();
  const [status, setStatus] = useState<string>();
  const data = collection.data;
  const items: Json[] = data?.items ?? [];

  return (
    <>
      <PageHeader title={data?.name ?? 'FAQ collection'}>
        <a href={link('faqs')}>Back to FAQs</a>
      </PageHeader>
      <ErrorNote error={collection.error} />
      {status === undefined ? null : <Notice tone="success">{status}</Notice>}
      {data === undefined ? (
        collection.error === undefined ? <Loading what="the FAQ collection" /> : null
      ) : (
        <>
          <Section title="Pairs">
            <p class="muted">
              {items.length} of at most {MAX_PAIRS} pairs.
            </p>
            <Table caption={`Pairs of ${data.name}`} headers={isAdmin ? ['Question', 'Answer', 'Actions'] : ['Question', 'Answer']} rows={items.length} empty="No pairs yet.">
              {items.map((item, index) => (
                <tr key={item.id} aria-current={editing?.id === item.id ? 'true' : undefined}>
                  <td class="faq-text">{item.question}</td>
                  <td class="faq-text">{item.answer}</td>
                  {isAdmin ? (
                    <td>
                      <div class="faq-row-actions">
                        <button type="button" class="plain" aria-label={`Edit pair ${index + 1}`} onClick={() => setEditing(item)}>
                          Edit
                        </button>
                        <ActionButton
                          tone="danger"
                          label={`Delete pair ${index + 1}`}
                          confirm={`Delete the pair "${item.question}"?`}
                          onClick={async () => {
                            await api('DELETE', `${path}/items/${encodeURIComponent(item.id)}`, { project, ifMatch: bareEtag(data.etag) });
                            if (editing?.id === item.id) setEditing(undefined);
                            await collection.reload();
                            setStatus('Pair deleted.');
                          }}
                        >
                          Delete
                        </ActionButton>
                      </div>
                    </td>
                  ) : null}
                </tr>
              ))}
            </Table>
          </Section>
          {!isAdmin ? (
            <Notice>FAQ collections are read-only for members.</Notice>
          ) : editing !== undefined ? (
            <Section title="Edit pair">
              <PairForm
                key={editing.id}
                initial={editing}
                submitLabel="Save"
                onCancel={() => setEditing(undefined)}
                onSubmit={async (pair) => {
                  await api('PATCH', `${path}/items/${encodeURIComponent(editing.id)}`, { project, body: pair, ifMatch: bareEtag(data.etag) });
                  setEditing(undefined);
                  await collection.reload();
                  setStatus('Pair saved.');
                }}
              />
            </Section>
          ) : (
            <>
              <Section title="Add a pair">
                {items.length >= MAX_PAIRS ? (
                  <Notice tone="warning">This collection has the most pairs it may have ({MAX_PAIRS}). Delete one to add another.</Notice>
                ) : (
                  <PairForm
                    key={items.length}
                    submitLabel="Add pair"
                    onSubmit={async (pair) => {
                      await api('POST', `${path}/items`, { project, body: pair, ifMatch: bareEtag(data.etag) });
                      await collection.reload();
                      setStatus('Pair added.');
                    }}
                  />
                )}
              </Section>
              <Section title="Rename collection">
                <RenameForm
                  key={data.etag}
                  name={data.name}
                  onSubmit={async (name) => {
                    await api('PATCH', path, { project, body: { name }, ifMatch: bareEtag(data.etag) });
                    await collection.reload();
                    setStatus('Collection renamed.');
                  }}
                />
              </Section>
              <Section title="Delete collection">
                <p class="muted">A collection that an agent uses cannot be deleted: remove it from those agents first.</p>
                <ActionButton
                  tone="danger"
                  confirm={`Delete the FAQ collection "${data.name}" and all its pairs?`}
                  onClick={async () => {
                    await api('DELETE', path, { project, ifMatch: bareEtag(data.etag) });
                    navigate('faqs');
                  }}
                >
                  Delete
                </ActionButton>
              </Section>
            </>
          )}
        </>
      )}
    </>
  );
}

function PairForm(props: { initial?: Json; submitLabel: string; onSubmit: (pair: { question: string; answer: string }) => Promise<void>; onCancel?: () => void }) {
  const [question, setQuestion] = useState<string>(props.initial?.question ?? '');
  const [answer, setAnswer] = useState<string>(props.initial?.answer ?? '');
  return (
    <Form
      label={props.initial === undefined ? 'Add a pair' : 'Edit pair'}
      submitLabel={props.submitLabel}
      onSubmit={async () => {
        if (question.trim() === '' || answer.trim() === '') throw new Error('A pair needs both a question and an answer.');
        await props.onSubmit({ question: question.trim(), answer: answer.trim() });
      }}
      secondary={
        props.onCancel === undefined ? undefined : (
          <button type="button" class="plain" onClick={props.onCancel}>
            Cancel
          </button>
        )
      }
    >
      <TextField label="Question" required value={question} onInput={setQuestion} />
      <TextField label="Answer" required multiline rows={4} value={answer} onInput={setAnswer} />
    </Form>
  );
}

function RenameForm(props: { name: string; onSubmit: (name: string) => Promise<void> }) {
  const [name, setName] = useState(props.name);
  return (
    <Form
      label="Rename collection"
      submitLabel="Save"
      onSubmit={async () => {
        if (name.trim() === '') throw new Error('The name cannot be empty.');
        await props.onSubmit(name.trim());
      }}
    >
      <TextField label="Name" required value={name} onInput={setName} />
    </Form>
  );
}
