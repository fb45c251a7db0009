from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from cms.attendance import api as attendance_api
from cms.groups import api as groups_api
from cms.library import api as library_api
from cms.org import api as org_api
from search.api import SearchAPI

app_name = "api"

urlpatterns = [
    path("me/", org_api.Me.as_view(), name="me"),
    path("districts/", org_api.DistrictList.as_view(), name="district_list"),
    path("schools/", org_api.SchoolList.as_view(), name="school_list"),
    path("schools/<int:pk>/", org_api.SchoolDetail.as_view(), name="school_detail"),
    path("communities/", groups_api.CommunityList.as_view(), name="community_list"),
    path("communities/<int:pk>/", groups_api.CommunityDetail.as_view(), name="community_detail"),
    path("library/documents/", library_api.DocumentList.as_view(), name="document_list"),
    path("library/regulations/", library_api.RegulationList.as_view(), name="regulation_list"),
    path("search/", SearchAPI.as_view(), name="search"),
    path("attendance/", attendance_api.AttendanceSubmit.as_view(), name="attendance_submit"),
    path("attendance/days/", attendance_api.SchoolDayList.as_view(), name="attendance_days"),
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
]
