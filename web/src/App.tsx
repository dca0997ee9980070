import { Navigate, Route, Routes } from 'react-router';
import { ErrorState, Layout, Loading } from './components/Layout';
import { SessionProvider, useMe } from './lib/auth';
import { CallDetail } from './pages/CallDetail';
import { CampaignDetail } from './pages/CampaignDetail';
import { CampaignFormPage } from './pages/CampaignForm';
import { DemoMailbox } from './pages/DemoMailbox';
import { Campaigns } from './pages/Campaigns';
import { SignIn } from './pages/SignIn';
import { Admin } from './pages/admin/Admin';
import { Exclusions } from './pages/Exclusions';
import { TemplateEditorPage } from './pages/TemplateEditor';
import { Templates } from './pages/Templates';

export function App() {
  const me = useMe();
  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorState error={me.error} onRetry={() => void me.refetch()} />;
  if (!me.data) return <SignIn />;
  return (
    <SessionProvider me={me.data}>
      <Layout>
        <Routes>
          <Route path="/" element={<Navigate to="/campaigns" replace />} />
          <Route path="/campaigns" element={<Campaigns />} />
          <Route path="/campaigns/new" element={<CampaignFormPage />} />
          <Route path="/campaigns/:id" element={<CampaignDetail />} />
          <Route path="/campaigns/:id/edit" element={<CampaignFormPage />} />
          <Route path="/calls/:callId" element={<CallDetail />} />
          <Route path="/exclusions" element={<Exclusions />} />
          <Route path="/templates" element={<Templates />} />
          <Route path="/templates/new" element={<TemplateEditorPage />} />
          <Route path="/templates/:id" element={<TemplateEditorPage />} />
          <Route path="/admin/*" element={<Admin />} />
          <Route path="/demo/mailbox" element={<DemoMailbox />} />
          <Route path="*" element={<Navigate to="/campaigns" replace />} />
        </Routes>
      </Layout>
    </SessionProvider>
  );
}
