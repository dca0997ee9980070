import { Navigate, Route, Routes } from 'react-router';
import { ErrorState, Layout, Loading } from './components/Layout';
import { SessionProvider, useMe } from './lib/auth';
import { CallDetail } from './pages/CallDetail';
import { CampaignDetail } from './pages/CampaignDetail';
import { CampaignFormPage } from './pages/CampaignForm';
import { Campaigns } from './pages/Campaigns';
import { SignIn } from './pages/SignIn';

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
          <Route path="*" element={<Navigate to="/campaigns" replace />} />
        </Routes>
      </Layout>
    </SessionProvider>
  );
}
